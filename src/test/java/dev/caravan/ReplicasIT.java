package dev.caravan;

import java.net.http.HttpResponse;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import dev.caravan.support.GatewayProcess;
import dev.caravan.support.McpHttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two gateway processes with the same session key behind no sticky load balancer: a client alternates between them
 * for a whole session, including a stateful backend (slack-conversations keeps a session per client), and a third
 * replica whose key was rotated still accepts it through the previous key. A backend session one replica ended is
 * renewed by the others, as after a backend restart.
 */
class ReplicasIT {

    private static final String KEY = Base64.getEncoder().encodeToString("replica-test-key-32-bytes-long!!".getBytes());
    private static final String NEW_KEY = Base64.getEncoder().encodeToString("rotated-test-key-32-bytes-long!!".getBytes());

    private static String call(String tool, String args) {
        return "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
               + "\",\"arguments\":" + args + "}}";
    }

    @Test
    void aSessionWorksOnEveryReplicaThatHasTheKey() throws Exception {
        try (GatewayProcess a = new GatewayProcess().env("CARAVAN_MCP_SESSION_KEY", KEY).start("replica-a");
             GatewayProcess b = new GatewayProcess().product().env("CARAVAN_MCP_SESSION_KEY", KEY)
                     .env("MCP_KNOWLEDGE_BASE_URL", "http://127.0.0.1:" + a.knowledgeBasePort + "/mcp")
                     .env("MCP_SLACK_CONVERSATIONS_URL", "http://127.0.0.1:" + a.slackPort + "/mcp")
                     .start("replica-b");
             GatewayProcess c = new GatewayProcess().product().env("CARAVAN_MCP_SESSION_KEY", NEW_KEY)
                     .env("CARAVAN_MCP_SESSION_PREVIOUS_KEY", KEY)
                     .env("MCP_KNOWLEDGE_BASE_URL", "http://127.0.0.1:" + a.knowledgeBasePort + "/mcp")
                     .env("MCP_SLACK_CONVERSATIONS_URL", "http://127.0.0.1:" + a.slackPort + "/mcp")
                     .start("replica-c-rotated")) {
            McpHttp onA = new McpHttp(a.port);
            onA.initialize(McpHttp.LATEST);
            McpHttp onB = new McpHttp(b.port);
            McpHttp onC = new McpHttp(c.port);
            onB.sessionId(onA.sessionId());
            onC.sessionId(onA.sessionId());

            assertEquals(3, onB.call("tools/list", null).at("/result/tools").size());
            String search = call("slack-conversations_search_messages", "{\"query\":\"Vertex\"}");
            for (McpHttp replica : new McpHttp[] {onA, onB, onC, onB, onA}) {
                JsonNode answer = McpHttp.message(replica.post(search));
                assertTrue(answer.at("/result/content/0/text").asText().contains("org header picks the GCP project"),
                        answer::toString);
            }
            String slow = "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{"
                          + "\"name\":\"slack-conversations_summarize_channel\",\"_meta\":{\"progressToken\":\"r\"},"
                          + "\"arguments\":{\"channel\":\"support\",\"steps\":3,\"stepMillis\":100}}}";
            assertEquals(4, onB.stream(slow).size(), "three progress events and the result, relayed by replica B");

            // a replica without the key (a forged or foreign id) refuses it
            McpHttp stranger = new McpHttp(b.port);
            // (one character changed: never to itself, which left the id valid once in 64 runs)
            String id = onA.sessionId();
            stranger.sessionId(id.substring(0, 40) + (id.charAt(40) == 'x' ? 'y' : 'x') + id.substring(41));
            assertEquals(404, stranger.post(search).statusCode());

            // ending the session on B refuses it there at once; A and C share no state with B, and to them the
            // backend's ended session looks like one a restart lost: they initialize it again (README, MCP behaviour)
            assertEquals(200, onB.send(onB.request(null).DELETE().build()).statusCode());
            HttpResponse<String> ended = onB.post(search);
            assertEquals(404, ended.statusCode(), ended::body);
            for (McpHttp replica : new McpHttp[] {onA, onC}) {
                JsonNode after = McpHttp.message(replica.post(search));
                assertTrue(after.at("/result/content/0/text").asText().contains("org header picks the GCP project"),
                        after::toString);
            }
        }
    }
}
