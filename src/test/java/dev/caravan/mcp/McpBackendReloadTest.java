package dev.caravan.mcp;

import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.caravan.CaravanConfiguration;
import dev.caravan.support.McpHttp;
import dev.caravan.support.Scrape;
import dev.caravan.support.ScriptedMcpServer;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backend's block changed in the route file (what a hot reload does: its route is replaced) takes effect for the
 * next session: the backend's settings are its route's, built from the block, never kept from before.
 */
@CamelMainTest(configurationClasses = CaravanConfiguration.class,
               propertyPlaceholderLocations = "file:config/application.properties",
               properties = {
                       "camel.main.routes-include-pattern=file:routes/gateway.camel.yaml,file:routes/auth.camel.yaml,"
                       + "file:routes/mcp.camel.yaml,file:kamelets/*.kamelet.yaml,"
                       + "classpath:test-routes/reload-backends.camel.yaml",
                       // no probe during the test: what brings a backend back here is its reload alone
                       "caravan.mcp.backend-down.backoff=1h"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpBackendReloadTest {

    private static final int PORT = TestPorts.configureGateway();
    private static final ScriptedMcpServer SCRIPTED = ScriptedMcpServer.startedAt("test.scripted.url");

    @BeanInject
    CamelContext context;

    @AfterAll
    void stopScripted() throws Exception {
        SCRIPTED.close();
    }

    /** What a hot reload of the route file does with a changed block: the backend's route is replaced. */
    private void redeclare(String name, Map<String, String> parameters) throws Exception {
        remove(name);
        declare(name, parameters);
    }

    private void remove(String name) throws Exception {
        context.getRouteController().stopRoute(name);
        context.removeRoute(name);
    }

    private void declare(String name, Map<String, String> parameters) {
        TemplatedRouteBuilder builder = TemplatedRouteBuilder.builder(context, McpBackends.TEMPLATE).routeId(name)
                .parameter("name", name);
        parameters.forEach(builder::parameter);
        builder.add();
    }

    /** The tools a new session sees. */
    private static List<String> tools() {
        McpHttp c = new McpHttp(PORT);
        c.initialize(McpHttp.LATEST);
        JsonNode tools = c.call("tools/list", null).at("/result/tools");
        return StreamSupport.stream(tools.spliterator(), false).map(t -> t.get("name").asText()).toList();
    }

    /** The backend's caravan_mcp_backend_up as scraped, or null when the gauge is not there. */
    private static Double up(String backend) {
        String series = "caravan_mcp_backend_up{backend=\"" + backend + "\"";
        return Scrape.of(Integer.getInteger("caravan.management.port")).text().lines()
                .filter(line -> line.startsWith(series))
                .map(line -> Double.valueOf(line.substring(line.lastIndexOf(' ') + 1))).findFirst().orElse(null);
    }

    private static JsonNode call(String tool) {
        McpHttp c = new McpHttp(PORT);
        c.initialize(McpHttp.LATEST);
        return c.call("tools/call", "{\"name\":\"" + tool + "\",\"arguments\":{}}");
    }

    @Test
    void changedHeadersReachTheBackendAfterAReload() throws Exception {
        assertTrue(call("tuned_probe").has("result"));
        assertEquals("one", SCRIPTED.okHeaders().get(SCRIPTED.okHeaders().size() - 1).get("X-Tier"));

        redeclare("tuned", Map.of("url", SCRIPTED.url() + "/ok/mcp", "headers", "X-Tier: two"));
        assertTrue(call("tuned_probe").has("result"));
        assertEquals("two", SCRIPTED.okHeaders().get(SCRIPTED.okHeaders().size() - 1).get("X-Tier"));
    }

    @Test
    void aReloadedBackendKeepsItsPlaceInLists() throws Exception {
        declare("second", Map.of("url", SCRIPTED.url() + "/ok/mcp"));
        List<String> before = tools();
        assertTrue(before.indexOf("tuned_probe") < before.indexOf("second_probe"), before::toString);
        // Camel adds the replacing route last; the list must not change order with it
        redeclare("tuned", Map.of("url", SCRIPTED.url() + "/ok/mcp", "headers", "X-Tier: one"));
        assertEquals(before, tools());
        remove("second");
    }

    @Test
    void aChangedCallTimeoutTakesEffectAfterAReload() throws Exception {
        // declared with 60 s; the client's own request would wait 30 s
        redeclare("hangs", Map.of("url", SCRIPTED.url() + "/hang/mcp", "callTimeout", "300ms"));
        long start = System.nanoTime();
        JsonNode answer = call("hangs_hang_tool");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(JsonRpc.INTERNAL_ERROR, answer.at("/error/code").asInt(), answer::toString);
        assertEquals("hangs", answer.at("/error/data/backend").asText(), answer::toString);
        assertTrue(millis < 10_000, "the call took " + millis + " ms");
    }

    @Test
    void aBackendReloadedWhileDownStartsUpAndARemovedOneLeavesNoGauge() throws Exception {
        // nothing listens there: the first initialize finds it refusing and marks it down
        declare("moving", Map.of("url", "http://127.0.0.1:" + TestPorts.free() + "/mcp"));
        assertFalse(tools().contains("moving_probe"));
        assertEquals(0.0, up("moving"));

        // moved to where a server answers: the new route's backend is up at once, without waiting for a probe
        redeclare("moving", Map.of("url", SCRIPTED.url() + "/ok/mcp"));
        assertEquals(1.0, up("moving"));
        assertTrue(tools().contains("moving_probe"));

        remove("moving");
        assertNull(up("moving"));
    }
}
