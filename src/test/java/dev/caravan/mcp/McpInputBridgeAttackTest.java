package dev.caravan.mcp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.BeanInject;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.caravan.CaravanConfiguration;
import dev.caravan.demo.DemoConfiguration;
import dev.caravan.support.McpHttp;
import dev.caravan.support.ModernOnlyMcpServer;
import dev.caravan.support.TestBackends;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile clients with a session against a backend of MCP 2026-07-28 only that asks for input ({@link InputBridge}):
 * the client's answers go to the gateway's round, never to the backend on their own; what the backend asks that the
 * client cannot be asked ends the call with an error instead of reaching the client or hanging; a round the client
 * left holds nothing that answers still reach.
 */
@CamelMainTest(configurationClasses = {CaravanConfiguration.class, DemoConfiguration.class},
               propertyPlaceholderLocations = {"file:config/demo.properties", "file:config/application.properties"},
               properties = {
                       "camel.main.routes-include-pattern=file:routes/mcp.camel.yaml,file:routes/gateway.camel.yaml,"
                       + "file:routes/auth.camel.yaml,file:routes/observe.camel.yaml,file:kamelets/*.kamelet.yaml,"
                       + "classpath:test-routes/modern-only-backend.camel.yaml"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpInputBridgeAttackTest {

    private static final int PORT = TestPorts.configureGateway();
    private static final ModernOnlyMcpServer M26 = TestBackends.start("test.m26.url", ModernOnlyMcpServer::new,
            ModernOnlyMcpServer::url);
    private static final String CONFIRM = "{\"confirm\":{\"method\":\"elicitation/create\",\"params\":{"
            + "\"message\":\"sure?\",\"requestedSchema\":{\"type\":\"object\",\"properties\":{}}}}}";
    private static final String ACCEPT = "{\"action\":\"accept\",\"content\":{}}";

    @BeanInject("mcpAnswerRouter")
    McpAnswerRouter answerRouter;

    @AfterAll
    void stopBackend() throws Exception {
        M26.close();
    }

    /** A client with a session that takes elicitation, after listing the tools. */
    private static McpHttp client() {
        McpHttp c = new McpHttp(PORT);
        c.initialize(McpHttp.LATEST, "{\"elicitation\":{}}", "asked");
        assertEquals("m26_locate", c.call("tools/list", null).at("/result/tools/0/name").asText());
        return c;
    }

    /** A call's event stream, read as it comes. */
    private static final class Call implements AutoCloseable {

        private final InputStream body;
        private final BufferedReader lines;

        Call(McpHttp client, String arguments) {
            HttpResponse<InputStream> r = client.open(client.request("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":"
                    + "\"tools/call\",\"params\":{\"name\":\"m26_locate\",\"arguments\":" + arguments + "}}").build());
            assertEquals(200, r.statusCode());
            body = r.body();
            lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        }

        /** The next message of the stream, or null when it ended. */
        JsonNode next() {
            return assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.startsWith("data:")) {
                        return McpHttp.JSON.readTree(line.substring(5));
                    }
                }
                return null;
            }, "the call's stream went silent");
        }

        @Override
        public void close() {
            try {
                body.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static HttpResponse<String> answer(McpHttp client, JsonNode question, String result) {
        return client.post("{\"jsonrpc\":\"2.0\",\"id\":" + question.get("id") + ",\"result\":" + result + "}");
    }

    /** Whether a message the backend received since the {@code from}-th holds {@code text}. */
    private static boolean reachedBackend(int from, String text) {
        return M26.received().subList(from, M26.received().size()).stream()
                .anyMatch(r -> r.body().encode().contains(text));
    }

    /**
     * Held: the client's answer is the gateway's: it is taken (202) and the call is repeated with it, and the backend
     * never gets it as a message of its own. A second answer to the same question finds nothing waiting.
     */
    @Test
    void anAnswerIsTakenByTheGatewayAndNotSentToTheBackend() {
        McpHttp c = client();
        int before = M26.received().size();
        try (Call call = new Call(c, "{\"rounds\":[" + CONFIRM + "]}")) {
            JsonNode question = call.next();
            assertEquals("elicitation/create", question.path("method").asText(), question::toString);
            HttpResponse<String> taken = answer(c, question, ACCEPT);
            assertEquals(202, taken.statusCode(), taken::body);
            JsonNode done = call.next();
            assertEquals(5, done.path("id").asInt(), done::toString);
            assertEquals("{\"confirm\":" + ACCEPT + "}|round-1", done.at("/result/content/0/text").asText(),
                    done::toString);
            assertEquals(400, answer(c, question, ACCEPT).statusCode(), "answered already");
        }
        assertFalse(M26.received().subList(before, M26.received().size()).stream()
                .anyMatch(r -> r.body().getString("method") == null), "a response reached the backend");
    }

    /**
     * A later round whose questions are not questions, or ask what the client did not declare (sampling), ends the
     * call with an error naming the backend: nothing undeclared reaches the client, and the call does not hang
     * (inputRequests that are not an object broke the round, and the stream stayed open until the client gave up).
     */
    @Test
    void aLaterRoundTheClientCannotBeAskedEndsTheCall() {
        for (String odd : new String[] {"\"not questions\"", "{}", "{\"q\":7}",
                "{\"q\":{\"method\":\"sampling/createMessage\",\"params\":{}}}"}) {
            McpHttp c = client();
            try (Call call = new Call(c, "{\"rounds\":[" + CONFIRM + "," + odd + "]}")) {
                assertEquals(202, answer(c, call.next(), ACCEPT).statusCode());
                JsonNode done = call.next();
                assertEquals(5, done.path("id").asInt(), () -> odd + ": " + done);
                assertTrue(done.at("/error/message").asText().startsWith("m26: "), () -> odd + ": " + done);
                assertNull(call.next(), odd);
            }
        }
    }

    /**
     * A client that leaves in the middle of a round leaves nothing waiting (its questions waited, holding the call,
     * until the request timeout), and its answer, sent after all, finds nothing to answer.
     */
    @Test
    void aRoundTheClientLeftWaitsNoMore() throws InterruptedException {
        McpHttp c = client();
        JsonNode question;
        try (Call call = new Call(c, "{\"rounds\":[" + CONFIRM + "]}")) {
            question = call.next();
            assertEquals(1, answerRouter.bridge.waiting());
        }
        // the gateway learns on its own event loop that the client left
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (answerRouter.bridge.waiting() > 0 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertEquals(0, answerRouter.bridge.waiting(), "a question of a call whose client left still waits");
        int before = M26.received().size();
        HttpResponse<String> late = answer(c, question, ACCEPT);
        assertEquals(400, late.statusCode(), late::body);
        assertFalse(reachedBackend(before, "round-1"), "the call was repeated for a client that left");
    }

    /** Held: a backend that asks for ever is told no after the tenth round, with an error naming it. */
    @Test
    void aBackendAskingForEverIsCutOffAfterTenRounds() {
        McpHttp c = client();
        try (Call call = new Call(c, "{\"forever\":true,\"rounds\":[" + CONFIRM + "]}")) {
            JsonNode next = call.next();
            int asked = 0;
            for (; next.has("method"); next = call.next()) {
                asked++;
                assertEquals(202, answer(c, next, ACCEPT).statusCode());
            }
            assertEquals(InputBridge.MAX_ROUNDS, asked);
            JsonNode last = next;
            assertTrue(last.at("/error/message").asText().contains("more than 10 times"), last::toString);
        }
    }

    /**
     * Held: a refusal instead of an answer leaves the question unanswered for the backend to judge, and a backend
     * failing on the repeated call ends it with an error naming the backend, nothing of its own.
     */
    @Test
    void aRefusalAndAFailingRepeatEndTheCallCleanly() {
        McpHttp c = client();
        try (Call call = new Call(c, "{\"rounds\":[" + CONFIRM + "]}")) {
            JsonNode question = call.next();
            assertEquals(202, c.post("{\"jsonrpc\":\"2.0\",\"id\":" + question.get("id")
                    + ",\"error\":{\"code\":-1,\"message\":\"no\"}}").statusCode());
            assertEquals("{}|round-1", call.next().at("/result/content/0/text").asText());
        }
        try (Call call = new Call(c, "{\"failAt\":1,\"rounds\":[" + CONFIRM + "]}")) {
            assertEquals(202, answer(c, call.next(), ACCEPT).statusCode());
            JsonNode done = call.next();
            assertEquals(5, done.path("id").asInt(), done::toString);
            assertTrue(done.at("/error/message").asText().startsWith("m26"), done::toString);
            assertFalse(done.toString().contains("broken"), done::toString);
        }
    }
}
