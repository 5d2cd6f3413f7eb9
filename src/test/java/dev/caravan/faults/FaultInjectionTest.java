package dev.caravan.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.BeanInject;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.caravan.CaravanConfiguration;
import dev.caravan.demo.DemoConfiguration;
import dev.caravan.faults.FaultProxy.Fault;
import dev.caravan.llm.LlmProviders;
import dev.caravan.support.AccessLogLines;
import dev.caravan.support.DemoTokens;
import dev.caravan.support.LlmHttp;
import dev.caravan.support.McpHttp;
import dev.caravan.support.RestartableMcpServer;
import dev.caravan.support.Scrape;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults injected between the gateway and real upstreams ({@link FaultProxy} in front of the stub LLM provider and of a
 * real MCP server): refused connections, resets before the head and in the middle of the body, an SSE event half
 * written, hangs before the head and in mid-stream, a slow drip, 503, 429 with Retry-After, bytes that are not HTTP, an
 * oversized answer, a backend restart. Every case checks what the client got (status and the API's error shape, or a
 * well-formed error event) and how soon, given the short timeouts of test-routes/faults.camel.yaml; that nothing is
 * left stranded (the proxy sees no request still waiting, the gateway's {@code caravan_upstream_calls_active} is back
 * to 0); that the request was recorded as it ended (access log line, incomplete usage); the circuit's state; and that
 * the next request, fault off, is served.
 */
@CamelMainTest(configurationClasses = {CaravanConfiguration.class, DemoConfiguration.class},
               propertyPlaceholderLocations = {"file:config/demo.properties", "file:config/application.properties"},
               properties = {
                       "camel.main.routes-include-pattern=file:routes/gateway.camel.yaml,file:routes/auth.camel.yaml,"
                       + "file:routes/observe.camel.yaml,file:routes/mcp.camel.yaml,file:routes/mcp-backends.camel.yaml,"
                       + "file:routes/llm.camel.yaml,file:kamelets/*.kamelet.yaml,classpath:test-routes/faults.camel.yaml",
                       "caravan.mcp.fan-out-timeout=2s",
                       "caravan.llm.request-timeout=10s",
                       "caravan.upstream.max-answer-bytes=1048576",
                       "caravan.demo.llm.chunk-delay=5ms"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultInjectionTest {

    // the timeouts of test-routes/faults.camel.yaml and the properties above, in ms
    private static final long FIRST_BYTE = 1000;
    private static final long LLM_IDLE = 2000;
    private static final long MCP_IDLE = 1000;
    private static final long CALL = 3000;
    private static final long FAN_OUT = 2000;
    private static final long BREAKER_OPEN = 1000;
    /** what a loaded two-core machine may add to a deadline */
    private static final long SLACK = 1500;

    private static final int PORT = TestPorts.configureGateway();
    private static final int MANAGEMENT = Integer.getInteger("caravan.management.port");
    private static final FaultProxy LLM = FaultProxy.llm(Integer.getInteger("caravan.demo.llm.port"));
    private static final int BACKEND_PORT = TestPorts.free();
    private static final RestartableMcpServer BACKEND = new RestartableMcpServer(BACKEND_PORT);
    private static final FaultProxy MCP = FaultProxy.mcp(BACKEND_PORT);

    static {
        System.setProperty("test.llm-proxy.url", LLM.url());
        System.setProperty("test.mcp-proxy.url", MCP.url());
    }

    private static final String MESSAGE = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":8,\"messages\":[{\"role\":"
                                          + "\"user\",\"content\":\"hi\"}]}";
    private static final String STREAM = MESSAGE.replace("{\"model\"", "{\"stream\":true,\"model\"");
    private static final String VERTEX = "/v1/projects/p/locations/l/publishers/anthropic/models/claude-sonnet-4-6";
    private static final String VERTEX_BODY = "{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":8,"
                                              + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String VERTEX_STREAM = VERTEX_BODY.replace("{\"anthropic_version\"",
            "{\"stream\":true,\"anthropic_version\"");
    private static final String CHAT = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String CHAT_STREAM = CHAT.replace("{\"model\"", "{\"stream\":true,\"model\"");
    private static final String ECHO = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":"
                                       + "\"flaky_echo\",\"arguments\":{\"text\":\"still there\"}}}";
    private static final String STEPS = "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\",\"params\":{\"name\":"
                                        + "\"flaky_steps\",\"arguments\":{\"count\":3},\"_meta\":{\"progressToken\":\"p\"}}}";

    private final LlmHttp http = new LlmHttp(PORT);
    private final AccessLogLines access = AccessLogLines.collect();
    private final AtomicInteger callers = new AtomicInteger();

    @BeanInject
    LlmProviders providers;

    /** A caller with a token of its own, so that its access log lines are told apart from every other case's. */
    private record Caller(String email, String token) {
        String[] headers(String... more) {
            String[] all = new String[more.length + 2];
            all[0] = "Authorization";
            all[1] = "Bearer " + token;
            System.arraycopy(more, 0, all, 2, more.length);
            return all;
        }
    }

    /** What the client got, or the connection cut under it ({@code cut}), and how long it took. */
    private record Outcome(HttpResponse<String> response, IOException cut, long millis) {
        int status() {
            if (response == null) {
                throw new AssertionError("the connection was cut instead of answered: " + cut);
            }
            return response.statusCode();
        }

        String body() {
            return response == null ? "(connection cut: " + cut + ")" : response.body();
        }
    }

    private Caller caller(String tag) {
        String email = tag.toLowerCase(java.util.Locale.ROOT) + "-" + callers.incrementAndGet() + "@faults.test";
        return new Caller(email, DemoTokens.token("email=" + email));
    }

    private Outcome send(HttpRequest request) {
        long start = System.nanoTime();
        try {
            HttpResponse<String> r = http.send(request);
            return new Outcome(r, null, (System.nanoTime() - start) / 1_000_000);
        } catch (UncheckedIOException e) {
            return new Outcome(null, e.getCause(), (System.nanoTime() - start) / 1_000_000);
        }
    }

    private Outcome llm(Caller caller, String path, String body, String... headers) {
        return send(http.request(path, body, caller.headers(headers)).build());
    }

    /** The request, meeting {@code fault} at the provider. */
    private Outcome llm(Fault fault, Caller caller, String path, String body, String... headers) {
        LLM.inject(fault, 1);
        return llm(caller, path, body, headers);
    }

    /**
     * Faults off, stranded calls dropped, and the circuits of the providers most cases use closed again, so that a case
     * that failed before its own recovery does not fail the next ones in turn.
     */
    @AfterEach
    void heal() throws InterruptedException {
        LLM.clear();
        MCP.clear();
        LLM.dropWaiting();
        MCP.dropWaiting();
        for (String provider : List.of("anthropic", "openai", "vertex-engineering")) {
            try {
                until(() -> healthy(provider, caller("heal")).status() == 200, BREAKER_OPEN + SLACK, provider);
            } catch (AssertionError e) {
                // the case that broke it reports why; the next cases start from whatever state is left
            }
        }
    }

    @AfterAll
    void stop() {
        LLM.close();
        MCP.close();
        BACKEND.close();
    }

    // --- LLM: faults before the answer's head -----------------------------------------------------------------------

    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {false, true})
    @Order(1)
    void aRefusedConnectionIsRetriedThenAnsweredInTheApisShape(boolean stream) throws Exception {
        Caller c = caller("refused");
        int before = LLM.requests();
        double failures = failures("anthropic");
        Outcome o;
        try (AutoCloseable down = LLM.refuse()) {
            o = llm(c, "/v1/messages", stream ? STREAM : MESSAGE);
        }
        assertAnthropicError(o, 502);
        assertTrue(o.millis() < SLACK, "took " + o.millis() + " ms");
        assertEquals(before, LLM.requests());
        assertEquals(failures + 2, failures("anthropic"), "the call and its retry failed");
        JsonNode line = access.of(c.email());
        assertEquals(502, line.get("status").asInt());
        assertTrue(line.get("error").asText().startsWith("anthropic:"), line::toString);
        recovers("anthropic");
    }

    @ParameterizedTest(name = "{0} stream={1}")
    @CsvSource({"RESET_BEFORE_HEADERS, false, 502, protocol", "RESET_BEFORE_HEADERS, true, 502, protocol",
                "GARBAGE, false, 502, protocol", "GARBAGE, true, 502, protocol",
                "STATUS_503, false, 503, status_503", "STATUS_503, true, 503, status_503",
                "RATE_LIMITED, false, 429, status_429"})
    @Order(2)
    void aFaultBeforeTheHeadIsRetriedOnceThenAnsweredInTheApisShape(Fault fault, boolean stream, int status,
                                                                     String reason) throws Exception {
        Caller c = caller(fault.name());
        int before = LLM.requests();
        double failures = failures("anthropic", "reason", reason);
        LLM.inject(fault, 2);
        Outcome o = llm(c, "/v1/messages", stream ? STREAM : MESSAGE);
        assertAnthropicError(o, status);
        if (fault == Fault.RATE_LIMITED) {
            assertEquals("1", o.response().headers().firstValue("Retry-After").orElse(null), "Retry-After reaches the client");
            assertTrue(o.millis() >= 1000 && o.millis() < 1000 + SLACK, "waited out Retry-After: " + o.millis() + " ms");
        } else {
            assertTrue(o.millis() < SLACK, "took " + o.millis() + " ms");
        }
        assertEquals(before + 2, LLM.requests(), "one call and one retry");
        assertEquals(failures + 2, failures("anthropic", "reason", reason));
        assertEquals(status, access.of(c.email()).get("status").asInt());
        assertCircuit("anthropic", "CLOSED"); // two failures in a row do not open it (five do)
        recovers("anthropic");
    }

    @Test
    @Order(3)
    void aProviderThatHangsBeforeItsHeadIsGivenUpOnAfterTheFirstByteTimeout() throws Exception {
        Caller c = caller("hang");
        LLM.inject(Fault.HANG_BEFORE_HEADERS, 2);
        CompletableFuture<Outcome> pending = CompletableFuture.supplyAsync(() -> llm(c, "/v1/messages", MESSAGE));
        // while it hangs, both leak signals see the call: the proxy a request waiting, the gateway a call in flight
        until(() -> LLM.busy() == 1, FIRST_BYTE, "the proxy holds the hung request");
        assertTrue(Scrape.of(MANAGEMENT).sum("caravan_upstream_calls_active") >= 1, "the gateway counts the hung call");
        Outcome o = pending.get(30, TimeUnit.SECONDS);
        assertAnthropicError(o, 504);
        assertTrue(o.millis() < 2 * FIRST_BYTE + SLACK, "a call and a retry of at most " + FIRST_BYTE
                                                        + " ms each took " + o.millis() + " ms");
        assertEquals(504, access.of(c.email()).get("status").asInt());
        recovers("anthropic");
    }

    @Test
    @Order(4)
    void aHungPrimaryHandsOverToItsFallbackAfterTheFirstByteTimeout() throws Exception {
        Caller c = caller("fallback");
        Outcome o = llm(Fault.HANG_BEFORE_HEADERS, c, VERTEX + ":streamRawPredict", VERTEX_STREAM, "x-org", "engineering");
        assertEquals(200, o.status(), o::body);
        SseEvents events = SseEvents.parse(o.body());
        assertEquals("message_stop", events.last().name(), o::body);
        assertTrue(o.millis() < FIRST_BYTE + 1500, "the fallback answered after " + o.millis() + " ms");
        assertEquals("vertex-shared", access.of(c.email()).get("provider").asText());
        recovers("vertex-engineering");
    }

    // --- LLM: faults in the middle of the answer ---------------------------------------------------------------------

    /** The faults that break an answer off after its head went out. */
    static List<Fault> midAnswer() {
        return List.of(Fault.RESET_MID_BODY, Fault.HALF_EVENT_THEN_CLOSE, Fault.HANG_MID_STREAM, Fault.SLOW_DRIP);
    }

    @ParameterizedTest
    @MethodSource("midAnswer")
    @Order(5)
    void aJsonAnswerThatBreaksOffNeverReachesTheClientAsComplete(Fault fault) throws Exception {
        Caller c = caller(fault.name());
        Outcome o = llm(fault, c, "/v1/messages", MESSAGE);
        // either the client learns by a cut connection, or the gateway kept the answer back and says why; a 200 whose
        // body is cut short is what an SDK cannot tell from a success
        if (o.response() != null) {
            assertNotEquals(200, o.status(), "a cut answer was delivered as a complete 200: " + o.body());
            assertAnthropicError(o, o.status());
        }
        assertTrue(o.millis() < brokeAfter(fault, LLM_IDLE) + SLACK, "took " + o.millis() + " ms");
        assertFalse(access.of(c.email()).path("error").isNull(), "the access log says the answer broke");
        recovers("anthropic");
    }

    @ParameterizedTest
    @MethodSource("midAnswer")
    @Order(6)
    void aStreamThatBreaksOffEndsWithAWellFormedErrorEvent(Fault fault) throws Exception {
        int before = LLM.requests();
        double incomplete = incomplete("anthropic");
        Caller c = caller(fault.name());
        Outcome o = llm(fault, c, "/v1/messages", STREAM);
        assertEquals(200, o.status(), o::body);
        SseEvents events = SseEvents.parse(o.body());
        assertEquals("error", events.last().name(), o::body);
        assertEquals("error", events.last().data().path("type").asText(), o::body);
        assertTrue(events.last().data().at("/error/message").asText().startsWith("anthropic:"), o::body);
        assertFalse(events.has("message_stop"), o::body);
        assertTrue(o.millis() < brokeAfter(fault, LLM_IDLE) + SLACK, "took " + o.millis() + " ms");
        assertEquals(before + 1, LLM.requests(), "a stream that started is never sent again");
        JsonNode line = access.of(c.email());
        if (fault != Fault.SLOW_DRIP) {
            assertEquals("message_start", events.events().get(0).name(), o::body);
            assertTrue(line.get("input_tokens").asLong() > 0, "what message_start counted is kept: " + line);
        }
        assertFalse(line.get("usage_complete").asBoolean(), line::toString);
        assertFalse(line.path("error").isNull(), line::toString);
        assertEquals(incomplete + 1, incomplete("anthropic"), "counted as incomplete usage");
        assertCircuit("anthropic", "CLOSED");
        recovers("anthropic");
    }

    @Test
    @Order(7)
    void aCutOpenAiStreamEndsWithAnErrorChunkAndCountsAsIncompleteUsage() throws Exception {
        double incomplete = incomplete("openai");
        Caller c = caller("openai");
        Outcome o = llm(Fault.HANG_MID_STREAM, c, "/v1/chat/completions", CHAT_STREAM);
        assertEquals(200, o.status(), o::body);
        JsonNode last = SseEvents.parse(o.body()).last().data();
        assertEquals("server_error", last.at("/error/type").asText(), o::body);
        assertTrue(o.millis() < LLM_IDLE + SLACK, "took " + o.millis() + " ms");
        assertFalse(access.of(c.email()).get("usage_complete").asBoolean());
        assertEquals(incomplete + 1, incomplete("openai"), "a cut OpenAI stream counts as incomplete usage");
        recovers("openai");
    }

    @Test
    @Order(8)
    void anOversizedAnswerIsRelayedWholeAsItArrives() throws Exception {
        Caller c = caller("oversized");
        Outcome o = llm(Fault.OVERSIZED, c, "/v1/messages", MESSAGE);
        assertEquals(200, o.status());
        assertEquals(FaultProxy.OVERSIZED_BYTES, o.body().length(), "nothing cut, nothing added");
        assertEquals(200, access.of(c.email()).get("status").asInt());
        recovers("anthropic");
    }

    // --- LLM: the circuit breaker -------------------------------------------------------------------------------------

    @Test
    @Order(9)
    void theCircuitOpensSkipsTheProviderAndClosesAfterASuccessfulTrial() throws Exception {
        Caller c = caller("breaker");
        openSupportCircuit(c);
        int before = LLM.requests();
        Outcome skipped = llm(c, VERTEX + ":rawPredict", VERTEX_BODY, "x-org", "support");
        assertAnthropicError(skipped, 503);
        assertTrue(skipped.body().contains("unavailable"), skipped::body);
        assertTrue(skipped.millis() < SLACK, "skipped at once, took " + skipped.millis() + " ms");
        assertEquals(before, LLM.requests(), "an open circuit does not call the provider");
        // after the open period one request tries the provider again; it succeeds and closes the circuit
        until(() -> llm(c, VERTEX + ":rawPredict", VERTEX_BODY, "x-org", "support").status() == 200,
                BREAKER_OPEN + SLACK, "the provider is tried again after the open period");
        assertCircuit("vertex-support", "CLOSED");
        noLeak();
    }

    @Test
    @Order(10)
    void aHalfOpenTrialWhoseClientGivesUpStillSettlesTheCircuit() throws Exception {
        Caller c = caller("trial");
        openSupportCircuit(c);
        // the trial request hangs at the provider and its client gives up on it
        LLM.inject(Fault.HANG_BEFORE_HEADERS, 1);
        int before = LLM.requests();
        until(() -> {
            send(http.request(VERTEX + ":rawPredict", VERTEX_BODY, c.headers("x-org", "support"))
                    .timeout(Duration.ofMillis(300)).build());
            return LLM.requests() > before;
        }, BREAKER_OPEN + SLACK, "a trial request reaches the provider after the open period");
        // the trial ends (first-byte timeout or the client's cancel) and settles the circuit: the healthy provider
        // serves again, at the latest one open period later
        until(() -> llm(c, VERTEX + ":rawPredict", VERTEX_BODY, "x-org", "support").status() == 200,
                FIRST_BYTE + BREAKER_OPEN + 2 * SLACK, () -> "the provider serves again after an abandoned trial; "
                                                             + "the circuit is " + providers.circuit("vertex-support"));
        assertCircuit("vertex-support", "CLOSED");
        noLeak();
    }

    private void openSupportCircuit(Caller c) {
        LLM.inject(Fault.STATUS_503, 2);
        for (int i = 0; i < 2; i++) {
            assertAnthropicError(llm(c, VERTEX + ":rawPredict", VERTEX_BODY, "x-org", "support"), 503);
        }
        assertCircuit("vertex-support", "OPEN"); // two failures open it
    }

    // --- MCP -----------------------------------------------------------------------------------------------------------

    @Test
    @Order(20)
    void aRefusedBackendConnectionIsAJsonRpcErrorThatNamesTheBackend() throws Exception {
        Caller c = caller("mcp-refused");
        McpHttp session = session(c);
        Outcome o;
        try (AutoCloseable down = MCP.refuse()) {
            o = call(session, null, ECHO);
        }
        assertBackendError(McpHttp.message(o.response()), 7);
        assertTrue(o.millis() < SLACK, "took " + o.millis() + " ms");
        assertCallLogged(c);
        recovers(session);
    }

    @ParameterizedTest
    @EnumSource(names = {"RESET_BEFORE_HEADERS", "GARBAGE", "STATUS_503", "RATE_LIMITED", "HANG_BEFORE_HEADERS",
                         "OVERSIZED"})
    @Order(21)
    void aBackendFaultBeforeTheAnswerIsAJsonRpcErrorThatNamesTheBackend(Fault fault) throws Exception {
        Caller c = caller("mcp-" + fault.name());
        McpHttp session = session(c);
        Outcome o = call(session, fault, ECHO);
        assertEquals(200, o.status(), o::body);
        assertBackendError(McpHttp.message(o.response()), 7);
        assertTrue(o.millis() < (fault == Fault.HANG_BEFORE_HEADERS ? MCP_IDLE : 0) + SLACK, "took " + o.millis() + " ms");
        assertCallLogged(c);
        recovers(session);
    }

    @ParameterizedTest
    @MethodSource("midAnswer")
    @Order(22)
    void aBackendStreamThatBreaksOffEndsWithAWellFormedErrorEvent(Fault fault) throws Exception {
        Caller c = caller("mcp-" + fault.name());
        McpHttp session = session(c);
        Outcome o = call(session, fault, STEPS);
        assertEquals(200, o.status(), o::body);
        assertTrue(o.response().headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"), o::body);
        SseEvents events = SseEvents.parse(o.body());
        if (fault != Fault.SLOW_DRIP) {
            assertEquals("notifications/progress", events.events().get(0).data().path("method").asText(),
                    "what came before the cut reached the client: " + o.body());
        }
        assertBackendError(events.last().data(), 8);
        assertTrue(o.millis() < brokeAfter(fault, MCP_IDLE) + SLACK, "took " + o.millis() + " ms");
        assertCallLogged(c);
        recovers(session);
    }

    @Test
    @Order(23)
    void aRestartedBackendKeepsServingTheSameSession() throws Exception {
        McpHttp session = session(caller("restart"));
        BACKEND.restart();
        JsonNode answer = McpHttp.message(session.post(ECHO));
        assertEquals("still there", answer.at("/result/content/0/text").asText(), answer::toString);
        assertTrue(toolNames(session).contains("flaky_echo"), "the backend stays in the session's lists");
        noLeak();
    }

    @Test
    @Order(24)
    void aHungBackendDelaysNewSessionsOnlyUntilItIsMarkedDown() throws Exception {
        MCP.inject(Fault.HANG_BEFORE_HEADERS, Integer.MAX_VALUE);
        long start = System.nanoTime();
        McpHttp first = session(caller("hung-first"));
        long firstMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(firstMillis < Math.min(MCP_IDLE, FAN_OUT) + SLACK, "the first session waited " + firstMillis + " ms");
        assertFalse(toolNames(first).contains("flaky_echo"), "the hung backend is left out");
        start = System.nanoTime();
        session(caller("hung-second"));
        long secondMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(secondMillis < 500, "a backend known to hang is not waited for again; the second session waited "
                                       + secondMillis + " ms");
        MCP.clear();
        until(() -> toolNames(session(caller("hung-back"))).contains("flaky_echo"), 30_000,
                "the backend is back in new sessions once it answers again");
        noLeak();
    }

    // --- what every case checks -----------------------------------------------------------------------------------------

    /** How long after its start a cut answer is noticed: at once for a reset or close, else at the idle or call limit. */
    private static long brokeAfter(Fault fault, long idle) {
        return switch (fault) {
            case HANG_MID_STREAM -> idle;
            case SLOW_DRIP -> CALL;
            default -> 0;
        };
    }

    private static void assertAnthropicError(Outcome o, int status) {
        assertEquals(status, o.status(), o::body);
        try {
            JsonNode body = McpHttp.JSON.readTree(o.body());
            assertEquals("error", body.path("type").asText(), o::body);
            assertTrue(body.at("/error/type").isTextual() && body.at("/error/message").isTextual(), o::body);
        } catch (IOException e) {
            throw new AssertionError("not an Anthropic error body: " + o.body(), e);
        }
    }

    private static void assertBackendError(JsonNode message, int id) {
        assertEquals(id, message.path("id").asInt(), message::toString);
        assertEquals(-32603, message.at("/error/code").asInt(), message::toString);
        assertEquals("flaky", message.at("/error/data/backend").asText(), message::toString);
    }

    private void assertCallLogged(Caller c) throws InterruptedException {
        JsonNode line = access.await(l -> c.email().equals(l.path("user").asText())
                                          && "tools/call".equals(l.path("mcp_method").asText()));
        assertEquals("flaky", line.path("backend").asText(), line::toString);
        assertTrue(line.path("error").asText().startsWith("flaky: "), line::toString);
    }

    /** Nothing stranded, the circuit closed, and the next request to the provider, fault off, is served. */
    private void recovers(String provider) throws Exception {
        noLeak();
        Caller c = caller("healthy");
        Outcome o = healthy(provider, c);
        assertEquals(200, o.status(), o::body);
        assertEquals(provider, access.of(c.email()).get("provider").asText());
        assertCircuit(provider, "CLOSED");
        noLeak();
    }

    /**
     * The circuit of a provider is (or, within a second, gets) {@code state}: the gateway settles it once the call is
     * over, which may be a moment after the client has the whole answer.
     */
    private void assertCircuit(String provider, String state) {
        try {
            until(() -> state.equals(providers.circuit(provider)), 1000, () -> provider + "'s circuit is "
                                                                             + providers.circuit(provider) + ", not " + state);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A request that the provider serves when nothing is wrong. */
    private Outcome healthy(String provider, Caller c) {
        return switch (provider) {
            case "openai" -> llm(c, "/v1/chat/completions", CHAT);
            case "vertex-engineering" -> llm(c, VERTEX + ":rawPredict", VERTEX_BODY, "x-org", "engineering");
            default -> llm(c, "/v1/messages", MESSAGE);
        };
    }

    /** Nothing stranded, and the same session's next call to the backend, fault off, is served. */
    private void recovers(McpHttp session) throws Exception {
        noLeak();
        until(() -> "still there".equals(McpHttp.message(session.post(ECHO)).at("/result/content/0/text").asText()),
                30_000, "the backend serves the session again");
        noLeak();
    }

    /**
     * No call stranded: the proxies see no request the gateway still waits on (hung ones were given up and their
     * connections closed), and the gateway has no upstream call in flight.
     */
    private static void noLeak() throws InterruptedException {
        until(() -> LLM.busy() == 0 && MCP.busy() == 0, 5000, () -> "the gateway closes what it gave up on; still "
                                                                  + "waited on: llm " + LLM.busy() + ", mcp " + MCP.busy());
        Scrape.await(MANAGEMENT, 0, "caravan_upstream_calls_active");
    }

    /** A call on the session, meeting {@code fault} at the backend (when not null), timed. */
    private static Outcome call(McpHttp session, Fault fault, String body) {
        if (fault != null) {
            MCP.inject(fault, 1);
        }
        long start = System.nanoTime();
        HttpResponse<String> r = session.post(body);
        return new Outcome(r, null, (System.nanoTime() - start) / 1_000_000);
    }

    private McpHttp session(Caller c) {
        McpHttp session = new McpHttp(PORT, c.token());
        session.initialize(McpHttp.LATEST);
        return session;
    }

    private static List<String> toolNames(McpHttp session) {
        return StreamSupport.stream(session.call("tools/list", null).at("/result/tools").spliterator(), false)
                .map(t -> t.get("name").asText()).toList();
    }

    private static double failures(String provider, String... labels) {
        String[] all = new String[labels.length + 2];
        all[0] = "caravan_provider";
        all[1] = provider;
        System.arraycopy(labels, 0, all, 2, labels.length);
        return Scrape.of(MANAGEMENT).sum("caravan_llm_provider_failures_total", all);
    }

    private static double incomplete(String provider) {
        return Scrape.of(MANAGEMENT).sum("caravan_llm_usage_incomplete_total", "caravan_provider", provider);
    }

    /** Waits until {@code condition} holds, checking every 20 ms, for at most {@code millis}. */
    private static void until(BooleanSupplier condition, long millis, String what) throws InterruptedException {
        until(condition, millis, () -> what);
    }

    private static void until(BooleanSupplier condition, long millis, Supplier<String> what)
            throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + millis + " ms: " + what.get());
            }
            Thread.sleep(20);
        }
    }
}
