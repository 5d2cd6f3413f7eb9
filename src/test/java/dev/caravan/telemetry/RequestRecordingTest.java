package dev.caravan.telemetry;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.caravan.core.Caller;
import dev.caravan.core.RequestContext;
import dev.caravan.llm.LlmUsageRecorder;
import dev.caravan.llm.PriceTable;
import dev.caravan.mcp.JsonRpc;
import dev.caravan.mcp.McpCall;
import dev.caravan.mcp.McpTelemetry;
import dev.caravan.support.AccessLogLines;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code caravan.observe.requests = false} (the baseline of bench/observe-bench.sh) leaves out each request's metrics
 * and access log line, and nothing else: the in-flight gauges still go up and down.
 */
class RequestRecordingTest {

    @ParameterizedTest(name = "per request: {0}")
    @ValueSource(booleans = {true, false})
    void requestsAreRecordedOnlyWhenAskedTo(boolean perRequest) throws Exception {
        CamelContext context = new DefaultCamelContext();
        context.getRegistry().bind("meters", new SimpleMeterRegistry());
        GatewayMetrics metrics = new GatewayMetrics(perRequest);
        metrics.setCamelContext(context);
        Traces off = Traces.setUp(context, "false", "", Map.of());
        McpTelemetry mcp = new McpTelemetry(metrics, off);
        LlmUsageRecorder llm = new LlmUsageRecorder(metrics, PriceTable.bundled(Map.of()), off);
        AccessLogLines access = AccessLogLines.collect();
        String target = "tool-" + UUID.randomUUID();

        Exchange call = new DefaultExchange(context);
        mcp.arrived().process(call);
        McpCall.of(call).read(JsonRpc.parse(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\"}".getBytes(StandardCharsets.UTF_8)))
                .target(target);
        assertEquals(1, metrics.active("mcp").get());
        mcp.record().process(call);
        Exchange chat = new DefaultExchange(context);
        llm.arrived().process(chat);
        RequestContext.of(chat).caller(new Caller(target, Map.of("sub", target)));
        assertEquals(1, metrics.active("llm").get());
        llm.record().process(chat);

        assertEquals(0, metrics.active("mcp").get());
        assertEquals(0, metrics.active("llm").get());
        long lines = access.lines().stream().filter(l -> target.equals(l.path("target").asText())
                || target.equals(l.path("user").asText())).count();
        assertEquals(perRequest ? 2 : 0, lines);
        assertEquals(perRequest ? 1.0 : 0.0, metrics.registry().find("caravan.mcp.tool.calls")
                .tag("gen_ai.tool.name", target).counters().stream().mapToDouble(Counter::count).sum());
    }
}
