package dev.caravan.mcp;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.Exchange;

import dev.caravan.telemetry.AccessLog;
import dev.caravan.telemetry.FieldLabels;
import dev.caravan.telemetry.GatewayMetrics;
import dev.caravan.telemetry.LabelCap;
import dev.caravan.telemetry.MeterCache;
import dev.caravan.telemetry.RequestRecorder;
import dev.caravan.telemetry.Traces;

/**
 * What every MCP request leaves behind, recorded by the listener route's first and last steps ({@link RequestRecorder}) from
 * the request's context and the reply: its duration by JSON-RPC method, tool, backend and outcome
 * ({@code mcp.server.operation.duration}, the OpenTelemetry MCP name), the tool calls per user
 * ({@code caravan.mcp.tool.calls}), the fields of {@code mcpFields} (route files: e.g. the product a tool was asked
 * about) on both, and one access log line. A call's outcome is {@code ok}, {@code error} (a JSON-RPC error, from the
 * gateway or the backend, or a failed transport) or {@code tool_error} (the tool ran and its result says
 * {@code isError}). Tool names come from clients, so they are capped like any other label.
 */
public final class McpTelemetry extends RequestRecorder<McpCall> {

    private final Traces traces;
    private final FieldLabels fields = new FieldLabels("mcpFields");
    private final LabelCap targets = LabelCap.max(500);
    private final MeterCache cache = new MeterCache();

    public McpTelemetry(GatewayMetrics metrics, Traces traces) {
        super(metrics, "mcp", McpCall.class);
        this.traces = traces;
    }

    @Override
    protected McpCall arrive(long nanos) {
        return McpCall.arrived(nanos);
    }

    @Override
    protected void record(Exchange exchange, McpCall context, long nanos) {
        String asked = context.method();
        // a response from the client (to sampling, elicitation) has no method of its own
        String kind = context.messageKind();
        String method = !asked.isEmpty() ? asked : kind.isEmpty() ? "none" : kind;
        boolean call = context.row() == McpMethod.TOOLS_CALL;
        String target = context.target();
        List<BackendAnswer> fanOut = context.fanOut();
        // a fan-out went to every backend it names, not to one
        String backend = fanOut != null ? null : context.backend();
        Integer relayed = context.relayedStatus();
        int status = relayed != null ? relayed : exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 200,
                Integer.class);
        Integer errorCode = context.errorCode();
        String errorMessage = context.errorMessage();
        boolean toolError = context.toolError();
        // an answer streamed from the backend as it came: what its response said
        if (relayed != null && context.relay() instanceof McpStreamRelay relay) {
            JsonNode answered = relay.events().error();
            if (answered != null) {
                errorCode = answered.path("code").asInt(JsonRpc.INTERNAL_ERROR);
                errorMessage = answered.path("message").asText(null);
            }
            toolError |= relay.events().toolError();
        }
        String user = context.caller().who();
        JsonRpc.Message request = context.message();
        Map<String, String> extra = fields.values(exchange, () -> request == null ? null : request.json());

        String tool = call ? targets.of(target) : LabelCap.NONE;
        String backendLabel = backend != null ? backend : fanOut != null ? "all" : LabelCap.NONE;
        String code = String.valueOf(status);
        String error = errorCode == null ? LabelCap.NONE : String.valueOf(errorCode);
        Throwable broke = context.relayError();
        String outcome = status >= 400 || errorCode != null || broke != null
                ? "error" : toolError ? "tool_error" : "ok";
        MeterRegistry registry = metrics.registry();
        MeterCache.Meters m = cache.of(method + '\n' + tool + '\n' + backendLabel + '\n' + code + '\n' + error + '\n'
                                       + user + '\n' + extra.values());
        m.<Timer>meter("duration", () -> Timer.builder("mcp.server.operation.duration")
                .tags(fields.tags(extra).and("mcp.method.name", method, "gen_ai.tool.name", tool, "caravan.backend",
                        backendLabel, "http.response.status_code", code, "rpc.jsonrpc.error_code", error))
                .serviceLevelObjectives(GatewayMetrics.LATENCY_BUCKETS).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
        if (call) {
            m.<Counter>meter("calls", () -> registry.counter("caravan.mcp.tool.calls", fields.tags(extra).and(
                    "gen_ai.tool.name", tool, "caravan.backend", backendLabel, "caravan.user", user,
                    "caravan.outcome", outcome))).increment();
        }

        Map<String, Object> line = AccessLog.start("mcp", exchange);
        line.put("mcp_method", method);
        line.put("target", target);
        line.put("backend", backend);
        if (fanOut != null) {
            line.put("backends", fanOut.stream().filter(BackendAnswer::ok).map(BackendAnswer::backend).toList());
            line.put("backends_failed", fanOut.stream().filter(a -> !a.ok()).map(BackendAnswer::backend).toList());
        }
        line.put("user", user);
        line.put("status", status);
        line.put("rpc_error", errorCode);
        line.put("tool_error", call ? toolError : null);
        line.put("duration_ms", nanos / 1_000_000.0);
        line.putAll(extra);
        String body = AccessLog.body(request == null ? null : request.json());
        if (body != null) {
            line.put("request", body);
        }
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        line.put("error", broke != null ? broke.getMessage() : failure != null ? failure.getMessage()
                : errorMessage);
        AccessLog.write(line);
        if (traces.on()) {
            Map<String, Object> span = new HashMap<>();
            span.put("mcp.method.name", method);
            span.put(targetAttribute(method), target);
            span.put("caravan.backend", backendLabel);
            span.put("caravan.user", user);
            span.put("rpc.jsonrpc.error_code", errorCode);
            span.put("caravan.outcome", outcome);
            traces.tag(exchange, span, extra);
        }
    }

    /** The span attribute that names a request's target: the tool of a tools/call, else the resource or prompt. */
    static String targetAttribute(String method) {
        return McpMethod.TOOLS_CALL.wireName().equals(method) ? "gen_ai.tool.name" : "caravan.mcp.target";
    }
}
