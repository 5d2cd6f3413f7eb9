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
import dev.caravan.support.RestartableMcpServer;
import dev.caravan.support.Scrape;
import dev.caravan.support.TestBackends;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backend that restarts (a real MCP Java SDK server, stopped and started again on its port, so it forgets every
 * session) comes back for the sessions that were open: the gateway initializes it again with what the client said at
 * initialize and repeats the request, and the client's session goes on.
 */
@CamelMainTest(configurationClasses = {CaravanConfiguration.class, DemoConfiguration.class},
               propertyPlaceholderLocations = {"file:config/demo.properties", "file:config/application.properties"},
               properties = {
                       "camel.main.routes-include-pattern=file:routes/*.camel.yaml,file:kamelets/*.kamelet.yaml,"
                       + "classpath:test-routes/restartable-backend.camel.yaml"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpRecoveryTest {

    private static final int PORT = TestPorts.configureGateway();
    private static final RestartableMcpServer BACKEND = TestBackends.start("test.restartable.url",
            RestartableMcpServer::new, RestartableMcpServer::url);
    private static final String CAPABILITIES = "{\"sampling\":{},\"roots\":{\"listChanged\":true}}";

    @AfterAll
    void stopBackend() throws Exception {
        BACKEND.close();
    }

    /** What the backend says about the caller: its own session id, the client's name and capabilities. */
    private static String[] whoami(McpHttp c) {
        JsonNode answer = c.call("tools/call", "{\"name\":\"restartable_whoami\",\"arguments\":{}}");
        String text = answer.at("/result/content/0/text").asText();
        assertTrue(!text.isEmpty() && !answer.at("/result/isError").asBoolean(), answer::toString);
        return text.split(" ", 2);
    }

    private static List<String> tools(McpHttp c) {
        JsonNode tools = c.call("tools/list", null).at("/result/tools");
        return StreamSupport.stream(tools.spliterator(), false).map(t -> t.get("name").asText()).toList();
    }

    @Test
    void aRestartedBackendComesBackForTheSessionsThatWereOpen() throws Exception {
        McpHttp c = new McpHttp(PORT);
        c.initialize(McpHttp.LATEST, CAPABILITIES, "recovery-client");
        String[] before = whoami(c);
        assertEquals("recovery-client sampling roots", before[1]);
        double renewed = Scrape.of(Integer.getInteger("caravan.management.port"))
                .sum("caravan_mcp_backend_sessions_renewed_total", "backend", "restartable");

        // a list first: the fan-out renews the backend's session and the backend is in the merged list again
        BACKEND.restart();
        assertTrue(tools(c).containsAll(List.of("knowledge-base_search_docs", "restartable_whoami")));
        String[] afterList = whoami(c);
        assertNotEquals(before[0], afterList[0], "a new backend session");
        assertEquals("recovery-client sampling roots", afterList[1], "initialized again as the client did");

        // a call first: it is repeated once on the new backend session
        BACKEND.restart();
        String[] afterCall = whoami(c);
        assertNotEquals(afterList[0], afterCall[0]);
        assertEquals("recovery-client sampling roots", afterCall[1]);
        // later requests use the new backend session: nothing is initialized again
        assertEquals(afterCall[0], whoami(c)[0]);
        assertTrue(tools(c).contains("restartable_whoami"));
        Scrape.await(Integer.getInteger("caravan.management.port"), renewed + 2,
                "caravan_mcp_backend_sessions_renewed_total", "backend", "restartable");
        // and the session still ends on every backend
        assertEquals(200, c.send(c.request(null).DELETE().build()).statusCode());
    }
}
