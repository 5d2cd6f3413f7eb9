package dev.caravan.telemetry;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.apache.camel.BeanInject;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.caravan.CaravanConfiguration;
import dev.caravan.demo.DemoConfiguration;
import dev.caravan.demo.StubLlmProvider;
import dev.caravan.support.AccessLogLines;
import dev.caravan.support.DemoTokens;
import dev.caravan.support.LlmHttp;
import dev.caravan.support.McpHttp;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Traces of MCP and LLM traffic with the demo configuration and an in-memory OpenTelemetry SDK: the caller's trace
 * context is joined, every upstream call is a client span whose context the upstream receives, and the spans carry
 * the MCP and GenAI facts.
 */
@CamelMainTest(configurationClasses = {InMemoryTracing.class, CaravanConfiguration.class, DemoConfiguration.class},
               propertyPlaceholderLocations = {"file:config/demo.properties", "file:config/application.properties"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracingTest {

    private static final int PORT = TestPorts.configureGateway();

    @BeanInject
    StubLlmProvider stub;

    private static String newTraceId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static String traceparent(String traceId) {
        return "00-" + traceId + "-" + traceId.substring(0, 16) + "-01";
    }

    private static String str(SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.stringKey(key));
    }

    private static Long num(SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.longKey(key));
    }

    /** The finished spans that match, waiting up to 10 s for at least {@code count}. */
    private static List<SpanData> await(int count, Predicate<SpanData> which) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (true) {
            List<SpanData> found = InMemoryTracing.SPANS.getFinishedSpanItems().stream().filter(which).toList();
            if (found.size() >= count) {
                return found;
            }
            if (System.currentTimeMillis() > end) {
                throw new AssertionError(found.size() + " of " + count + " spans; all: "
                                         + InMemoryTracing.SPANS.getFinishedSpanItems());
            }
            Thread.sleep(20);
        }
    }

    @Test
    void anMcpCallJoinsTheCallersTraceAndEachBackendCallIsAClientSpan() throws Exception {
        String traceId = newTraceId();
        McpHttp c = new McpHttp(PORT, DemoTokens.token("email=tracer@solo.io"));
        c.initialize(McpHttp.LATEST);
        HttpResponse<String> answer = c.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
                                             + "{\"name\":\"knowledge-base_search_docs\",\"arguments\":{\"query\":"
                                             + "\"timeouts\",\"product\":\"gloo-gateway\"}}}", "traceparent",
                traceparent(traceId));
        assertEquals(200, answer.statusCode());
        List<SpanData> inTrace = await(1, s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.CLIENT);
        SpanData client = inTrace.get(0);
        assertEquals("tools/call knowledge-base_search_docs", client.getName());
        assertEquals("tools/call", str(client, "mcp.method.name"));
        assertEquals("knowledge-base_search_docs", str(client, "gen_ai.tool.name"));
        assertEquals("knowledge-base", str(client, "caravan.backend"));
        assertEquals(200L, num(client, "http.response.status_code"));
        assertEquals("POST", str(client, "http.request.method"));
        assertEquals(StatusCode.UNSET, client.getStatus().getStatusCode());

        // the request's own span: what the gateway learned, the product field of observe.camel.yaml included
        SpanData tagged = await(1, s -> s.getTraceId().equals(traceId) && "tools/call".equals(
                str(s, "mcp.method.name")) && s.getKind() != SpanKind.CLIENT).get(0);
        assertEquals("tracer@solo.io", str(tagged, "caravan.user"));
        assertEquals("gloo-gateway", str(tagged, "caravan.product"));
        assertEquals("ok", str(tagged, "caravan.outcome"));
        // the caller's span is the parent of the gateway's first, the SERVER span of the listener
        assertTrue(InMemoryTracing.SPANS.getFinishedSpanItems().stream().anyMatch(s -> s.getTraceId().equals(traceId)
                && s.getParentSpanId().equals(traceId.substring(0, 16)) && s.getKind() == SpanKind.SERVER
                && s.getName().equals("POST")), "no SERVER span is a child of the caller's");
    }

    @Test
    void anLlmCallIsAGenAiClientSpanAndTheProviderGetsItsContext() throws Exception {
        String traceId = newTraceId();
        HttpResponse<String> r = new LlmHttp(PORT).post("/v1/messages", "{\"model\":\"claude-haiku-4-5\","
                + "\"max_tokens\":64,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"trace me\"}]}",
                "Authorization", "Bearer " + DemoTokens.token("email=llm-tracer@solo.io"), "traceparent",
                traceparent(traceId));
        assertEquals(200, r.statusCode(), r::body);
        SpanData client = await(1, s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.CLIENT).get(0);
        assertEquals("chat claude-haiku-4-5", client.getName());
        assertEquals("anthropic", str(client, "gen_ai.provider.name"));
        assertEquals("chat", str(client, "gen_ai.operation.name"));
        assertEquals("claude-haiku-4-5", str(client, "gen_ai.request.model"));
        long input = num(client, "gen_ai.usage.input_tokens");
        long output = num(client, "gen_ai.usage.output_tokens");
        assertTrue(input > 0 && output > 0, client::toString);
        // the usage the client saw in the stream is what the span says
        assertTrue(r.body().contains("\"output_tokens\":" + output), r.body());

        StubLlmProvider.Received sent = stub.requests().stream()
                .filter(q -> q.text().contains("trace me")).findFirst().orElseThrow();
        assertEquals("00-" + traceId + "-" + client.getSpanId() + "-01", sent.headers().get("traceparent"));

        SpanData tagged = await(1, s -> s.getTraceId().equals(traceId) && "llm-tracer@solo.io".equals(
                str(s, "caravan.user"))).get(0);
        assertEquals(String.valueOf(output), str(tagged, "gen_ai.usage.output_tokens"));
        assertEquals("claude-haiku-4-5", str(tagged, "gen_ai.request.model"));
    }

    /**
     * A request refused at the door (a 401 for a bad token before any provider, a 415 before any backend) still goes through the
     * listener's recording once: one access log line, and its own SERVER span carries what the gateway learned. The
     * recording must run while that span is open, before Camel ends it as the exchange leaves the listener route.
     */
    @Test
    void aRefusedRequestIsRecordedOnceAndTagsItsOwnSpan() throws Exception {
        AccessLogLines access = AccessLogLines.collect();
        String llmTrace = newTraceId();
        String org = "refused" + llmTrace.substring(0, 8);
        HttpResponse<String> unauthorized = new LlmHttp(PORT).post("/v1/messages", "{\"model\":\"claude-haiku-4-5\","
                + "\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-org", org,
                "Authorization", "Bearer not.a.token", "traceparent", traceparent(llmTrace));
        assertEquals(401, unauthorized.statusCode(), unauthorized::body);
        // the error in the Anthropic Messages API's own shape
        assertEquals("error", McpHttp.JSON.readTree(unauthorized.body()).path("type").asText(), unauthorized::body);
        SpanData llmSpan = await(1, s -> s.getTraceId().equals(llmTrace) && s.getKind() == SpanKind.SERVER).get(0);
        assertEquals(org, str(llmSpan, "caravan.org"));
        assertEquals("401", str(llmSpan, "http.response.status_code"));

        String mcpTrace = newTraceId();
        HttpResponse<String> unsupported = new McpHttp(PORT).post("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":"
                + "\"tools/list\"}", "Content-Type", "text/plain", "traceparent", traceparent(mcpTrace));
        assertEquals(415, unsupported.statusCode(), unsupported::body);
        assertEquals("2.0", McpHttp.JSON.readTree(unsupported.body()).path("jsonrpc").asText(), unsupported::body);
        SpanData mcpSpan = await(1, s -> s.getTraceId().equals(mcpTrace) && s.getKind() == SpanKind.SERVER).get(0);
        assertEquals("error", str(mcpSpan, "caravan.outcome"));

        // recorded before the reply was written: the lines are there, and only once each
        assertEquals(1, access.lines().stream().filter(l -> org.equals(l.path("org").asText())).count());
        assertEquals(1, access.lines().stream().filter(l -> "mcp".equals(l.path("kind").asText())
                && l.path("status").asInt() == 415).count());
    }

    @Test
    void concurrentRequestsWithoutContextEachStartTheirOwnTrace() throws Exception {
        String marker = UUID.randomUUID().toString();
        HttpClient http = HttpClient.newHttpClient();
        LlmHttp llm = new LlmHttp(PORT);
        List<CompletableFuture<HttpResponse<String>>> calls = java.util.stream.IntStream.range(0, 4)
                .mapToObj(i -> http.sendAsync(llm.request("/v1/messages", "{\"model\":\"claude-haiku-4-5\","
                        + "\"max_tokens\":64,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" + marker
                        + "\"}]}").build(), HttpResponse.BodyHandlers.ofString())).toList();
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            assertEquals(200, call.get().statusCode());
        }
        Set<String> providerTraces = stub.requests().stream().filter(q -> q.text().contains(marker))
                .map(q -> q.headers().get("traceparent").substring(3, 35)).collect(Collectors.toSet());
        assertEquals(4, providerTraces.size(), "requests shared a trace: " + providerTraces);
        for (String traceId : providerTraces) {
            // each trace has one root, the gateway's span for that request (nobody else's child), and its client span
            SpanData root = await(1, s -> s.getTraceId().equals(traceId) && !s.getParentSpanContext().isValid()).get(0);
            SpanData client = await(1, s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.CLIENT).get(0);
            assertEquals(root.getSpanId(), client.getParentSpanId());
            assertEquals(2, InMemoryTracing.SPANS.getFinishedSpanItems().stream()
                    .filter(s -> s.getTraceId().equals(traceId)).count());
        }
    }
}
