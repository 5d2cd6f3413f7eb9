package dev.caravan.mcp;

import java.util.List;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.caravan.CaravanConfiguration;
import dev.caravan.demo.DemoConfiguration;
import dev.caravan.support.McpHttp;
import dev.caravan.support.Scrape;
import dev.caravan.support.ScriptedMcpServer;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One hung backend (it takes connections and never answers) next to the healthy demo backends: the first session
 * waits the fan-out timeout for it once, the gateway marks it down, and later sessions start at once without it;
 * probes notice when it answers again and it is back in new sessions.
 */
@CamelMainTest(configurationClasses = {CaravanConfiguration.class, DemoConfiguration.class},
               propertyPlaceholderLocations = {"file:config/demo.properties", "file:config/application.properties"},
               properties = {
                       "camel.main.routes-include-pattern=file:routes/*.camel.yaml,file:kamelets/*.kamelet.yaml,"
                       + "classpath:test-routes/outage-backend.camel.yaml",
                       "caravan.mcp.fan-out-timeout=5s",
                       "caravan.mcp.backend-down.backoff=300ms",
                       "caravan.mcp.backend-down.max-backoff=1s"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpOutlierTest {

    private static final int PORT = TestPorts.configureGateway();
    private static final ScriptedMcpServer SCRIPTED = ScriptedMcpServer.startedAt("test.scripted.url");
    private static final long FAN_OUT_MILLIS = 5_000;

    @AfterAll
    void stopScripted() throws Exception {
        SCRIPTED.close();
    }

    private static int management() {
        return Integer.getInteger("caravan.management.port");
    }

    /** A new session's tools, and how long its initialize took (ms). */
    private record Started(List<String> tools, long initializeMillis) {
    }

    private static Started newSession() {
        McpHttp c = new McpHttp(PORT);
        long start = System.nanoTime();
        c.initialize(McpHttp.LATEST);
        long millis = (System.nanoTime() - start) / 1_000_000;
        JsonNode tools = c.call("tools/list", null).at("/result/tools");
        return new Started(StreamSupport.stream(tools.spliterator(), false).map(t -> t.get("name").asText()).toList(),
                millis);
    }

    @Test
    void aHungBackendIsWaitedForOnceThenLeftOutUntilItAnswersAgain() throws Exception {
        assertTrue(newSession().tools().contains("outage_outage_tool"));
        assertEquals(1.0, Scrape.of(management()).sum("caravan_mcp_backend_up", "backend", "outage"));

        SCRIPTED.outage(true);
        Started first = newSession();
        long waited = first.initializeMillis();
        assertTrue(waited >= FAN_OUT_MILLIS - 500 && waited < FAN_OUT_MILLIS + 2_000,
                "the first initialize waits the fan-out timeout once: " + waited + " ms");
        assertFalse(first.tools().contains("outage_outage_tool"));
        assertTrue(first.tools().contains("knowledge-base_search_docs"));
        Scrape.await(management(), 0.0, "caravan_mcp_backend_up", "backend", "outage");

        for (int i = 0; i < 3; i++) {
            Started next = newSession();
            assertTrue(next.initializeMillis() < 1_500, "initialize without the down backend took "
                                                        + next.initializeMillis() + " ms");
            assertEquals(first.tools(), next.tools());
        }
        assertTrue(Scrape.of(management()).sum("caravan_mcp_backend_failures_total", "backend", "outage",
                "method", "initialize", "reason", "down") >= 3);
        String ready = McpHttp.JSON.readTree(java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + management()
                        + "/observe/health/ready?exposureLevel=full&data=true")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body()).toString();
        assertTrue(ready.contains("down (timeout)"), ready);

        SCRIPTED.outage(false);
        // a probe notices within the fan-out timeout (one still hanging) plus the longest backoff
        Scrape.await(management(), 1.0, "caravan_mcp_backend_up", "backend", "outage");
        assertTrue(newSession().tools().contains("outage_outage_tool"));
    }
}
