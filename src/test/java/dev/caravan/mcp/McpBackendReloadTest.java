package dev.caravan.mcp;

import java.util.Map;

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
import dev.caravan.support.ScriptedMcpServer;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
                       + "classpath:test-routes/reload-backends.camel.yaml"})
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
        context.getRouteController().stopRoute(name);
        context.removeRoute(name);
        TemplatedRouteBuilder builder = TemplatedRouteBuilder.builder(context, McpBackends.TEMPLATE).routeId(name)
                .parameter("name", name);
        parameters.forEach(builder::parameter);
        builder.add();
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
}
