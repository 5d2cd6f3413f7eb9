package dev.caravan.llm;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.caravan.CaravanConfiguration;
import dev.caravan.demo.DemoConfiguration;
import dev.caravan.proxy.SseParser;
import dev.caravan.support.AccessLogLines;
import dev.caravan.support.DemoTokens;
import dev.caravan.support.FlakyProvider;
import dev.caravan.support.LlmHttp;
import dev.caravan.support.McpHttp;
import dev.caravan.support.Scrape;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the gateway recovers when providers misbehave (test-routes/llm-recovery-providers.camel.yaml): a stream cut in
 * the middle of an event ends with the client's whole events and an error event in the API's format, and its usage is
 * counted as incomplete; a provider that hangs before its answer begins gives way to its fallback after the first byte
 * timeout; a half-open circuit whose trial was abandoned by its client tries again; changed breaker settings apply.
 */
@CamelMainTest(configurationClasses = {CaravanConfiguration.class, DemoConfiguration.class},
               propertyPlaceholderLocations = {"file:config/demo.properties", "file:config/application.properties"},
               properties = {
                       "camel.main.routes-include-pattern=file:routes/gateway.camel.yaml,file:routes/auth.camel.yaml,"
                       + "file:routes/llm.camel.yaml,file:kamelets/*.kamelet.yaml,"
                       + "classpath:test-routes/llm-recovery-providers.camel.yaml"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LlmRecoveryTest {

    private static final int PORT = TestPorts.configureGateway();
    private static final FlakyProvider FLAKY = FlakyProvider.started();
    private static final String VERTEX = "/v1/projects/p/locations/l/publishers/";
    private static final String VERTEX_BODY = "{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":8,"
                                              + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private final LlmHttp http = new LlmHttp(PORT);
    private final AccessLogLines access = AccessLogLines.collect();

    @BeanInject
    LlmProviders providers;

    @BeanInject
    CamelContext context;

    @AfterAll
    void stop() throws Exception {
        FLAKY.close();
    }

    private static double incomplete(String provider) {
        return Scrape.of(Integer.parseInt(System.getProperty("caravan.management.port")))
                .sum("caravan_llm_usage_incomplete_total", "caravan_provider", provider);
    }

    private static List<SseParser.Event> events(String sse) {
        List<SseParser.Event> events = new ArrayList<>();
        new SseParser(events::add, 1 << 20).feed(sse.getBytes(StandardCharsets.UTF_8));
        return events;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // case | provider | flaky path | path | body ({m}: the model) | recorded answer | cut in event | org
            // | error event name | where the error says what | what
            "anthropic | anthropic | /v1/messages | /v1/messages | {\"model\":\"{m}\",\"max_tokens\":8,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]} | anthropic-stream.sse | 4 | | error "
            + "| /error/type | api_error",
            "vertex anthropic | vertex-engineering | /projects/eng/ | " + VERTEX + "anthropic/models/{m}:streamRawPredict"
            + " | {\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":8,\"stream\":true,\"messages\":[{\"role\":"
            + "\"user\",\"content\":\"hi\"}]} | anthropic-stream.sse | 4 | engineering | error | /error/type | api_error",
            "vertex gemini | vertex-engineering | /projects/eng/ | " + VERTEX + "google/models/{m}:streamGenerateContent"
            + "?alt=sse | {\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]} | gemini-stream.sse | 2 "
            + "| engineering | | /error/status | UNAVAILABLE",
            "openai chat | openai | /v1/chat/completions | /v1/chat/completions | {\"model\":\"{m}\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]} | openai-chat-stream.sse | 3 | | | /error/type "
            + "| server_error",
            "openai responses | openai | /v1/responses | /v1/responses | {\"model\":\"{m}\",\"stream\":true,\"input\":"
            + "\"hi\"} | openai-responses-stream.sse | 3 | | error | /code | server_error"})
    void aStreamCutInTheMiddleOfAnEventEndsWithItsWholeEventsAndAnErrorInTheApisFormat(
            String name, String provider, String flakyPath, String path, String body, String file, int cutIn,
            String org, String errorEvent, String pointer, String expected) throws Exception {
        String model = "cut-" + UUID.randomUUID();
        FLAKY.script(flakyPath, "cut:" + file + ":" + cutIn);
        double incompleteBefore = incomplete(provider);
        HttpResponse<String> r = org == null ? http.post(path.replace("{m}", model), body.replace("{m}", model))
                : http.post(path.replace("{m}", model), body.replace("{m}", model), "x-org", org);
        assertEquals(200, r.statusCode(), r::body);

        Buffer recorded = FlakyProvider.recorded(file);
        String whole = recorded.getString(0, FlakyProvider.endOfEvent(recorded, cutIn - 1));
        assertTrue(r.body().startsWith(whole), "the whole events, byte for byte:\n" + r.body());
        List<SseParser.Event> after = events(r.body().substring(whole.length()));
        assertEquals(1, after.size(), "only the error event follows them:\n" + r.body());
        SseParser.Event error = after.get(0);
        assertEquals(errorEvent, error.event());
        assertEquals(expected, McpHttp.JSON.readTree(error.data()).at(pointer).asText(), error::data);
        for (SseParser.Event e : events(r.body())) {
            McpHttp.JSON.readTree(e.data()); // every event's data is whole JSON
        }

        JsonNode line = access.await(l -> model.equals(l.path("client_model").asText()));
        assertEquals(provider, line.get("provider").asText());
        assertFalse(line.get("usage_complete").asBoolean(), line::toString);
        assertTrue(line.get("error").asText().startsWith(provider + ":"), line::toString);
        assertEquals(incompleteBefore + 1, incomplete(provider), "counted once as incomplete usage");
    }

    @Test
    void theAnthropicSdkReportsACutStreamAsAnApiErrorAfterTheTextThatCameWhole() {
        FLAKY.script("/v1/messages", "cut:anthropic-stream.sse:5");
        AnthropicClient client = AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + PORT)
                .apiKey(DemoTokens.token("email=java-sdk@solo.io"))
                .maxRetries(0).build();
        MessageCreateParams params = MessageCreateParams.builder().model("claude-sonnet-4-6").maxTokens(64)
                .addUserMessage("hello from Java").build();
        StringBuilder text = new StringBuilder();
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> {
            try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
                stream.stream().forEach(event -> event.contentBlockDelta().flatMap(d -> d.delta().text())
                        .ifPresent(d -> text.append(d.text())));
            }
        });
        AnthropicServiceException error = assertInstanceOf(AnthropicServiceException.class, thrown);
        assertTrue(error.getMessage().contains("anthropic:"), error::getMessage);
        assertEquals("Hello", text.toString(), "the first delta came whole");
    }

    @Test
    void aProviderThatHangsBeforeItsAnswerBeginsGivesWayToItsFallbackAfterTheFirstByteTimeout() throws Exception {
        int before = FLAKY.requests("/v1/messages");
        FLAKY.script("/v1/messages", "hang", "hang");
        long start = System.nanoTime();
        List<LlmHttp.Line> lines = http.stream("/v1/messages", "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":8,"
                + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hang on\"}]}");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(lines.stream().anyMatch(l -> l.text().equals("event: message_stop")), lines::toString);
        assertTrue(millis >= 1000 && millis < 4000, "the fallback answered after " + millis + " ms");

        start = System.nanoTime();
        HttpResponse<String> whole = http.post("/v1/messages", "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":8,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hang on again\"}]}");
        millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, whole.statusCode(), whole::body);
        assertTrue(whole.body().contains("hang on again"), whole::body);
        assertTrue(millis >= 1000 && millis < 4000, "the fallback answered after " + millis + " ms");
        assertEquals(before + 2, FLAKY.requests("/v1/messages"), "a call that timed out is not retried");
        JsonNode line = access.await(l -> "anthropic-backup".equals(l.path("provider").asText()));
        assertEquals(200, line.get("status").asInt());
    }

    @Test
    void aHalfOpenCircuitWhoseTrialWasLeftByItsClientTriesAgainAndCloses() throws Exception {
        String path = VERTEX + "anthropic/models/claude-sonnet-4-6:rawPredict";
        FLAKY.script("/projects/support/", "500", "hang", "ok");
        assertEquals(500, http.post(path, VERTEX_BODY, "x-org", "support").statusCode());
        assertEquals("OPEN", providers.circuit("vertex-support"));
        assertEquals(503, http.post(path, VERTEX_BODY, "x-org", "support").statusCode(), "skipped while open");
        assertEquals(1, FLAKY.requests("/projects/support/"));

        // once the circuit is due (1 s), a request is let through as its trial; the provider hangs, the client leaves
        String trialModel;
        long end = System.currentTimeMillis() + 10_000;
        while (true) {
            assertTrue(System.currentTimeMillis() < end, "no trial was let through");
            trialModel = "trial-" + UUID.randomUUID();
            try (Socket trial = post(VERTEX + "anthropic/models/" + trialModel + ":rawPredict", VERTEX_BODY)) {
                if (FLAKY.awaitRequests("/projects/support/", 2, 200)) {
                    break; // the trial hangs at the provider; closing the socket abandons it
                }
                String status = statusLine(trial);
                assertTrue(status.contains(" 503 "), status);
            }
        }
        String trialLine = trialModel;
        JsonNode left = access.await(l -> trialLine.equals(l.path("client_model").asText()));
        assertEquals(499, left.get("status").asInt(), left::toString);

        String nextModel = "next-" + UUID.randomUUID();
        HttpResponse<String> next = http.post(VERTEX + "anthropic/models/" + nextModel + ":rawPredict", VERTEX_BODY,
                "x-org", "support");
        assertEquals(200, next.statusCode(), next::body);
        assertEquals(3, FLAKY.requests("/projects/support/"));
        access.await(l -> nextModel.equals(l.path("client_model").asText())); // written once the call settled
        assertEquals("CLOSED", providers.circuit("vertex-support"));
    }

    @Test
    void changedBreakerSettingsTakeEffectWhenTheProviderRouteIsReloaded() throws Exception {
        String path = VERTEX + "anthropic/models/claude-sonnet-4-6:rawPredict";
        FLAKY.script("/projects/shared/", "500", "500");
        assertEquals(500, http.post(path, VERTEX_BODY).statusCode());
        assertEquals("CLOSED", providers.circuit("vertex-shared"), "a thousand failures open it");

        // what a hot reload of the route file does with a changed block: the route is replaced
        context.getRouteController().stopRoute("vertex-shared");
        context.removeRoute("vertex-shared");
        TemplatedRouteBuilder.builder(context, "llm-provider").routeId("vertex-shared")
                .parameter("name", "vertex-shared").parameter("api", "vertex").parameter("url", FLAKY.url())
                .parameter("project", "shared").parameter("region", "us-east5").parameter("retries", "0")
                .parameter("breakerFailures", "1").add();
        assertEquals(500, http.post(path, VERTEX_BODY).statusCode());
        assertEquals("OPEN", providers.circuit("vertex-shared"), "now one failure opens it");
    }

    @Test
    void aReloadedProviderStartsWithAFreshCircuitEvenWhenItsBreakerSettingsDidNotChange() throws Exception {
        String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        try {
            replaceOpenai(FLAKY.url(), "", "1");
            FLAKY.script("/v1/chat/completions", "500");
            assertEquals(500, http.post("/v1/chat/completions", body).statusCode());
            assertEquals("OPEN", providers.circuit("openai"), "one failure opens it");

            // the operator points the provider at an upstream that works; the breaker settings stay as they were
            replaceOpenai("http://127.0.0.1:" + System.getProperty("caravan.demo.llm.port"),
                    "Authorization: Bearer {{secret:openai-api-key}}", "1");
            HttpResponse<String> r = http.post("/v1/chat/completions", body);
            assertEquals(200, r.statusCode(), r::body);
            assertEquals("CLOSED", providers.circuit("openai"));
        } finally {
            replaceOpenai(FLAKY.url(), "", "1000"); // as the route file declares it
        }
    }

    /** What a hot reload of the route file does with a changed block: the route is replaced. */
    private void replaceOpenai(String url, String headers, String breakerFailures) throws Exception {
        context.getRouteController().stopRoute("openai");
        context.removeRoute("openai");
        TemplatedRouteBuilder.builder(context, "llm-provider").routeId("openai")
                .parameter("name", "openai").parameter("api", "openai").parameter("url", url)
                .parameter("headers", headers).parameter("breakerFailures", breakerFailures)
                .parameter("breakerOpenFor", "1h").add();
    }

    /** A request on a socket of its own, so the test can leave while the gateway waits. */
    private static Socket post(String path, String body) throws Exception {
        Socket socket = new Socket("127.0.0.1", PORT);
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   + "x-org: support\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
        return socket;
    }

    private static String statusLine(Socket socket) throws Exception {
        socket.setSoTimeout(5000);
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        try {
            for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
                line.append((char) c);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("neither a trial at the provider nor an answer", e);
        }
        return line.toString();
    }
}
