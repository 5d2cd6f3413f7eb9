package dev.caravan.mcp;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.caravan.CaravanConfiguration;
import dev.caravan.demo.DemoConfiguration;
import dev.caravan.support.AskingMcpServer;
import dev.caravan.support.McpHttp;
import dev.caravan.support.TestBackends;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests a backend sends its client (elicitation here) and the client's answers, through the gateway, with a backend
 * that asks on its standalone stream ({@link AskingMcpServer}): none is lost however soon it is sent, every answer
 * reaches the backend that asked with the id it used, and an answer to anything the backend did not ask in this session
 * is refused without reaching any backend.
 */
@CamelMainTest(configurationClasses = {CaravanConfiguration.class, DemoConfiguration.class},
               propertyPlaceholderLocations = {"file:config/demo.properties", "file:config/application.properties"},
               properties = {
                       "camel.main.routes-include-pattern=file:routes/mcp.camel.yaml,file:routes/gateway.camel.yaml,"
                       + "file:routes/auth.camel.yaml,file:routes/observe.camel.yaml,file:kamelets/*.kamelet.yaml,"
                       + "classpath:test-routes/asking-backend.camel.yaml"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpServerRequestsTest {

    private static final int PORT = TestPorts.configureGateway();
    private static final AskingMcpServer ASKER = TestBackends.start("test.asker.url", AskingMcpServer::new,
            AskingMcpServer::url);
    private static final String ASK = "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":"
                                      + "\"asker_ask\",\"arguments\":{}}}";

    @AfterAll
    void stopAsker() throws Exception {
        ASKER.close();
    }

    private static String answer(JsonNode id, String name) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"action\":\"accept\",\"content\":{\"name\":\""
               + name + "\"}}}";
    }

    private static JsonNode data(String line) throws Exception {
        return McpHttp.JSON.readTree(line.substring(line.indexOf(':') + 1));
    }

    /**
     * A client that opened its stream and then calls a tool that asks on that stream must get the question, and the
     * question the backend sends the moment its own stream opens must not be lost either: the gateway answers the
     * client's GET only once the backend's stream is open. Fifty sessions in a row, no loss.
     */
    @Test
    void noQuestionOnTheStandaloneStreamIsLost() throws Exception {
        int answersBefore = ASKER.responses().size();
        int lost = 0;
        for (int run = 0; run < 50; run++) {
            McpHttp c = new McpHttp(PORT);
            c.initialize(McpHttp.LATEST);
            try (McpHttp.OpenStream stream = c.openStream(null).awaitOpen(5)) {
                CompletableFuture<HttpResponse<String>> call = c.sendAsync(c.request(ASK).build());
                JsonNode hello = data(stream.awaitData("elicitation/create", 5));
                assertEquals("hello", hello.at("/params/message").asText(), hello::toString);
                assertEquals(202, c.post(answer(hello.get("id"), "hello " + run)).statusCode());
                if (call.isDone() && McpHttp.message(call.get()).at("/result/isError").asBoolean()) {
                    // the backend asked while its stream was not open yet: the question went nowhere
                    lost++;
                    continue;
                }
                JsonNode question = data(stream.awaitData("elicitation/create", 5));
                assertEquals("what is your name?", question.at("/params/message").asText(), question::toString);
                assertEquals(202, c.post(answer(question.get("id"), "client " + run)).statusCode());
                JsonNode result = McpHttp.message(call.get(10, TimeUnit.SECONDS));
                assertEquals("answered {\"name\":\"client " + run + "\"}", result.at("/result/content/0/text")
                        .asText(), result::toString);
            }
        }
        assertEquals(0, lost, "questions lost in 50 sessions");
        assertEquals(0, ASKER.dropped());
        // each answer reached the backend with the very id the backend had used
        List<String> ids = ASKER.responses().subList(answersBefore, ASKER.responses().size()).stream()
                .map(r -> r.getString("id")).toList();
        assertEquals(100, ids.size(), ids::toString);
        assertTrue(ids.stream().allMatch(id -> id.matches("(hello|ask)-\\d+")), ids::toString);
    }

    /**
     * The client's answer only goes to a backend that asked that very question in that very session: a made-up id, a
     * backend's raw id, an altered id and another session's id all get 400 and reach no backend.
     */
    @Test
    void answersToQuestionsNobodyAskedInThisSessionAreRefused() throws Exception {
        McpHttp alice = new McpHttp(PORT);
        alice.initialize(McpHttp.LATEST);
        McpHttp bob = new McpHttp(PORT);
        bob.initialize(McpHttp.LATEST);
        try (McpHttp.OpenStream stream = alice.openStream(null).awaitOpen(5)) {
            JsonNode hello = data(stream.awaitData("elicitation/create", 5));
            String sealed = hello.get("id").asText();
            int at = sealed.length() - 2;
            String altered = sealed.substring(0, at) + (sealed.charAt(at) == 'A' ? 'B' : 'A')
                             + sealed.substring(at + 1);
            int before = ASKER.responses().size();
            for (String forged : List.of("\"asker:\\\"hello-1\\\"\"", "\"asker:1\"", "\"asker:\\\"ask-1\\\"\"", "99",
                    "\"" + altered + "\"", "\"" + sealed.substring(1) + "\"")) {
                HttpResponse<String> refused = alice.post(answer(McpHttp.JSON.readTree(forged), "mallory"));
                assertEquals(400, refused.statusCode(), forged + ": " + refused.body());
                assertEquals(JsonRpc.SERVER_ERROR, McpHttp.message(refused).at("/error/code").asInt(), refused::body);
            }
            // alice's genuine id is no use in bob's session
            assertEquals(400, bob.post(answer(hello.get("id"), "bob")).statusCode());
            assertEquals(before, ASKER.responses().size(), "a forged answer reached the backend");

            assertEquals(202, alice.post(answer(hello.get("id"), "alice")).statusCode());
            assertEquals(before + 1, ASKER.responses().size());
            JsonNode received = McpHttp.JSON.readTree(ASKER.responses().get(before).encode());
            assertTrue(received.get("id").asText().startsWith("hello-"), received::toString);
            assertNotEquals(sealed, received.get("id").asText());
            assertEquals("alice", received.at("/result/content/name").asText());
        }
    }
}
