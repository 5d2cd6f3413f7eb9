package dev.caravan.llm;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.caravan.CaravanConfiguration;
import dev.caravan.demo.DemoConfiguration;
import dev.caravan.support.AccessLogLines;
import dev.caravan.support.DemoTokens;
import dev.caravan.support.LlmHttp;
import dev.caravan.support.McpHttp;
import dev.caravan.support.Scrape;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A new provider type is one class plus its registration: {@code dev.caravan.example.SimpleCompletions} (test scope,
 * a made-up API) is listed in {@code caravan.llm.apis}, given its path in {@code caravan.llm.api-paths} and a listener,
 * and is then served end to end by the openai provider (pointed at a stub speaking that API): the answer passes
 * unchanged with the provider's own credential, its usage is read and recorded from a whole answer and from a stream,
 * its model alias applies, and a refusal comes in its own error shape.
 */
@CamelMainTest(configurationClasses = {CaravanConfiguration.class, DemoConfiguration.class},
               propertyPlaceholderLocations = {"file:config/demo.properties", "file:config/application.properties"},
               properties = {
                       "camel.main.routes-include-pattern=file:routes/*.camel.yaml,file:kamelets/*.kamelet.yaml,"
                       + "classpath:test-routes/llm-simple-complete.camel.yaml",
                       "caravan.llm.apis=dev.caravan.example.SimpleCompletions",
                       "caravan.llm.api-paths=" + WireApis.DEFAULT_PATHS + "; /v1/complete: simple_complete",
                       "llm.openai.url={{test.complete.url}}"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WireApiExtensionTest {

    private static final int PORT = TestPorts.configureGateway();
    private static final CompletionsStub STUB = CompletionsStub.started();
    private final LlmHttp http = new LlmHttp(PORT);
    private final AccessLogLines access = AccessLogLines.collect();

    @AfterAll
    void stop() throws Exception {
        STUB.close();
    }

    private static String user() {
        return "complete-" + UUID.randomUUID().toString().substring(0, 8) + "@solo.io";
    }

    private static String[] auth(String user) {
        return new String[] {"Authorization", "Bearer " + DemoTokens.token("email=" + user)};
    }

    private static double tokens(String user, String type) {
        return Scrape.of(Integer.parseInt(System.getProperty("caravan.management.port")))
                .sum("gen_ai_client_token_usage_sum", "caravan_user", user, "gen_ai_token_type", type);
    }

    @Test
    void aWholeAnswerPassesUnchangedWithTheProvidersCredentialAndItsUsageIsRecorded() throws Exception {
        String user = user();
        HttpResponse<String> r = http.post("/v1/complete", "{\"model\":\"claude-sonnet\",\"prompt\":\"hi\"}",
                auth(user));
        assertEquals(200, r.statusCode(), r::body);
        assertEquals(CompletionsStub.ANSWER, r.body());
        JsonNode sent = McpHttp.JSON.readTree(STUB.lastBody);
        assertEquals("claude-sonnet-4-6@20260101", sent.get("model").asText(), "the alias applied in the body");
        String openaiKey = Files.readString(Path.of("target", "demo-secrets", "openai-api-key")).strip();
        assertEquals("Bearer " + openaiKey, STUB.lastAuthorization, "the provider's credential, not the caller's");

        JsonNode line = access.of(user);
        assertEquals("simple_complete", line.get("api").asText());
        assertEquals("openai", line.get("provider").asText());
        assertEquals(3, line.get("input_tokens").asLong());
        assertEquals(5, line.get("output_tokens").asLong());
        assertTrue(line.get("usage_complete").asBoolean());
        assertEquals(3.0, tokens(user, "input"));
        assertEquals(5.0, tokens(user, "output"));
    }

    @Test
    void aStreamArrivesWholeAndItsFinalEventsUsageIsRecorded() throws Exception {
        String user = user();
        List<LlmHttp.Line> lines = http.stream("/v1/complete", "{\"model\":\"m-1\",\"prompt\":\"hi\",\"stream\":true}",
                auth(user));
        assertEquals(List.of("data: {\"text\":\"he\"}", "", "data: {\"text\":\"llo\"}", "", "event: end",
                "data: {\"usage\":{\"in\":7,\"out\":2}}", ""), lines.stream().map(LlmHttp.Line::text).toList());
        JsonNode line = access.of(user);
        assertEquals(7, line.get("input_tokens").asLong());
        assertEquals(2, line.get("output_tokens").asLong());
        assertTrue(line.get("stream").asBoolean());
        assertTrue(line.get("usage_complete").asBoolean());
    }

    @Test
    void aRefusalComesInTheApisOwnErrorShape() throws Exception {
        HttpResponse<String> r = http.send(http.request("/v1/complete", null, auth(user()))
                .header("Content-Type", "text/plain").POST(java.net.http.HttpRequest.BodyPublishers.ofString("hi"))
                .build());
        assertEquals(415, r.statusCode());
        assertEquals(415, McpHttp.JSON.readTree(r.body()).at("/error/status").asInt(), r::body);
        HttpResponse<String> sub = http.post("/v1/complete/batches", "{}", auth(user()));
        assertEquals(404, sub.statusCode());
        assertEquals(404, McpHttp.JSON.readTree(sub.body()).at("/error/status").asInt(), sub::body);
    }

    /** A provider speaking the made-up API: a fixed answer, or a short stream when the request asks for one. */
    private static final class CompletionsStub implements AutoCloseable {

        static final String ANSWER = "{\"text\":\"hello\",\"usage\":{\"in\":3,\"out\":5}}";
        private final Vertx vertx = Vertx.vertx();
        private final HttpServer server;
        volatile String lastBody;
        volatile String lastAuthorization;

        private CompletionsStub() throws Exception {
            server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
                lastBody = body.toString();
                lastAuthorization = request.getHeader("Authorization");
                boolean stream = new JsonObject(body).getBoolean("stream", false);
                if (!request.path().equals("/v1/complete")) {
                    request.response().setStatusCode(404).end();
                } else if (stream) {
                    request.response().putHeader("content-type", "text/event-stream")
                            .end("data: {\"text\":\"he\"}\n\ndata: {\"text\":\"llo\"}\n\n"
                                 + "event: end\ndata: {\"usage\":{\"in\":7,\"out\":2}}\n\n");
                } else {
                    request.response().putHeader("content-type", "application/json").end(ANSWER);
                }
            })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        static CompletionsStub started() {
            try {
                CompletionsStub stub = new CompletionsStub();
                System.setProperty("test.complete.url", "http://127.0.0.1:" + stub.server.actualPort());
                return stub;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() throws Exception {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
