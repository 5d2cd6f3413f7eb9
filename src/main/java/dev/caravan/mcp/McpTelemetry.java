package dev.caravan.mcp;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

import dev.caravan.auth.AuthExchange;
import dev.caravan.proxy.UpstreamCall;
import dev.caravan.telemetry.AccessLog;
import dev.caravan.telemetry.FieldLabels;
import dev.caravan.telemetry.GatewayMetrics;
import dev.caravan.telemetry.LabelCap;
import dev.caravan.telemetry.MeterCache;

/**
 * What every MCP request leaves behind, recorded by the listener route's first ({@link #begin}) and last steps: its
 * duration by JSON-RPC method, tool, backend and outcome ({@code mcp.server.operation.duration}, the OpenTelemetry MCP
 * name), the tool calls per user ({@code caravan.mcp.tool.calls}), the fields of {@code mcpFields} (route files: e.g.
 * the product a tool was asked about) on both, and one access log line. Tool names come from clients, so they are
 * capped like any other label.
 */
public final class McpTelemetry {

    static final String STARTED = "caravanStarted";
    /** the JSON-RPC error code the gateway answered with, set by {@link McpReply} */
    static final String ERROR_CODE = "mcpErrorCode";
    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(300)};

    private final GatewayMetrics metrics;
    private final FieldLabels fields = new FieldLabels("mcpFields");
    private final LabelCap targets = LabelCap.max(500);
    private final MeterCache cache = new MeterCache();

    public McpTelemetry(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    /** First step of a request: when it started, and one more in flight. */
    public void begin(Exchange exchange) {
        exchange.setProperty(STARTED, System.nanoTime());
        metrics.active("mcp").incrementAndGet();
    }

    /** Last step of a request, whatever happened. */
    public void end(Exchange exchange) {
        metrics.active("mcp").decrementAndGet();
        long nanos = System.nanoTime() - exchange.getProperty(STARTED, System.nanoTime(), Long.class);
        String asked = exchange.getProperty(McpExchange.METHOD, "", String.class);
        // a response from the client (to sampling, elicitation) has no method of its own
        String method = asked.isEmpty() ? exchange.getProperty(McpExchange.KIND, "none", String.class) : asked;
        boolean call = "tools/call".equals(method);
        String target = exchange.getProperty(McpExchange.TARGET, String.class);
        String backend = exchange.getProperty(McpExchange.BACKEND, String.class);
        Integer relayed = exchange.getProperty(UpstreamCall.RELAYED_STATUS, Integer.class);
        int status = relayed != null ? relayed : exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 200,
                Integer.class);
        Integer errorCode = exchange.getProperty(ERROR_CODE, Integer.class);
        String user = AuthExchange.caller(exchange);
        JsonRpc.Message request = exchange.getProperty(McpExchange.MESSAGE, JsonRpc.Message.class);
        Map<String, String> extra = fields.values(exchange, () -> request == null ? null : request.json());

        String tool = call ? targets.of(target) : LabelCap.NONE;
        String backendLabel = backend == null ? LabelCap.NONE : backend;
        String code = String.valueOf(status);
        String error = errorCode == null ? LabelCap.NONE : String.valueOf(errorCode);
        String outcome = status >= 400 || errorCode != null || exchange.getProperty(UpstreamCall.RELAY_ERROR) != null
                ? "error" : "ok";
        MeterRegistry registry = metrics.registry();
        MeterCache.Meters m = cache.of(method + '\n' + tool + '\n' + backendLabel + '\n' + code + '\n' + error + '\n'
                                       + user + '\n' + extra.values());
        Tags labels = fields.tags(extra);
        m.<Timer>meter("duration", () -> Timer.builder("mcp.server.operation.duration")
                .tags(labels.and("mcp.method.name", method, "gen_ai.tool.name", tool, "caravan.backend", backendLabel,
                        "http.response.status_code", code, "rpc.jsonrpc.error_code", error))
                .serviceLevelObjectives(BUCKETS).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
        if (call) {
            m.<Counter>meter("calls", () -> registry.counter("caravan.mcp.tool.calls", labels.and(
                    "gen_ai.tool.name", tool, "caravan.backend", backendLabel, "caravan.user", user,
                    "caravan.outcome", outcome))).increment();
        }

        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("kind", "mcp");
        if (exchange.getIn() instanceof HttpMessage http) {
            line.put("method", http.getRequest().method().name());
            line.put("path", http.getRequest().path());
        }
        line.put("mcp_method", method);
        line.put("target", target);
        line.put("backend", backend);
        line.put("user", user);
        line.put("status", status);
        line.put("rpc_error", errorCode);
        line.put("duration_ms", nanos / 1_000_000.0);
        line.putAll(extra);
        String body = AccessLog.body(request == null ? null : request.json());
        if (body != null) {
            line.put("request", body);
        }
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Object broke = exchange.getProperty(UpstreamCall.RELAY_ERROR);
        line.put("error", broke != null ? ((Throwable) broke).getMessage() : failure == null ? null
                : failure.getMessage());
        AccessLog.write(line);
    }
}
