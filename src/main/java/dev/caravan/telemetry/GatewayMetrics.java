package dev.caravan.telemetry;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;

/**
 * The gateway's own metrics, registered in the registry Camel serves on {@code /observe/metrics} (or Micrometer's
 * global one when metrics are off, so counting never fails).
 */
public final class GatewayMetrics implements CamelContextAware {

    /**
     * Histogram buckets of every latency the gateway records: 5 ms to the 300 s request timeout, so dashboards can take
     * quantiles of MCP calls (milliseconds) and LLM streams (minutes) alike.
     */
    public static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120),
        Duration.ofSeconds(300)};

    private final boolean perRequest;
    private CamelContext camelContext;
    private volatile MeterRegistry registry;
    private final Map<String, AtomicInteger> active = new ConcurrentHashMap<>();

    public GatewayMetrics() {
        this(true);
    }

    /** @param perRequest false: no request metrics, access log lines or span attributes (caravan.observe.requests) */
    public GatewayMetrics(boolean perRequest) {
        this.perRequest = perRequest;
    }

    /** Whether each request is recorded: its metrics, access log line and span attributes. */
    public boolean perRequest() {
        return perRequest;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    /** The gateway's metrics bean of a context (one that counts nowhere when there is none, e.g. in unit tests). */
    public static GatewayMetrics of(CamelContext context) {
        GatewayMetrics metrics = context == null ? null : context.getRegistry().findSingleByType(GatewayMetrics.class);
        return metrics != null ? metrics : new GatewayMetrics();
    }

    /** A request an auth policy refused: reason missing_token, invalid_token, insufficient_scope or denied. */
    public void authFailure(String policy, String reason) {
        registry().counter("caravan.auth.refusals", "policy", policy, "reason", reason).increment();
    }

    /** Requests a listener (mcp, llm) is serving right now: a gauge, incremented and decremented by its steps. */
    public AtomicInteger active(String listener) {
        return active.computeIfAbsent(listener, l -> registry().gauge("caravan.gateway.requests.active",
                Tags.of("caravan.listener", l), new AtomicInteger()));
    }

    /** A request the gateway refused itself (bad input, no or bad token, a rule, an unknown org): by status. */
    public void rejected(String listener, int status) {
        registry().counter("caravan.gateway.rejected", "caravan.listener", listener, "http.response.status_code",
                String.valueOf(status)).increment();
    }

    /** An LLM provider call that failed (it may have been retried or failed over): connect, timeout, status_5xx... */
    public void providerFailure(String provider, String reason) {
        registry().counter("caravan.llm.provider.failures", "caravan.provider", provider, "reason", reason).increment();
    }

    /** A backend that failed or was too slow and was left out of a fan-out or failed a call. */
    public void backendFailure(String backend, String method, String reason) {
        registry().counter("caravan.mcp.backend.failures", "backend", backend, "method", method, "reason", reason)
                .increment();
    }

    /**
     * The upstream client's resources, so a fault that leaks one shows: TCP connections open (idle pooled ones
     * included) and calls in flight, which fall back to zero when nothing is being served.
     */
    public void upstreamPool(AtomicInteger connections, AtomicInteger calls) {
        registry().gauge("caravan.upstream.connections.open", Tags.empty(), connections);
        registry().gauge("caravan.upstream.calls.active", Tags.empty(), calls);
    }

    public MeterRegistry registry() {
        MeterRegistry r = registry;
        if (r == null) {
            r = camelContext == null ? null : camelContext.getRegistry().findSingleByType(MeterRegistry.class);
            registry = r = r != null ? r : Metrics.globalRegistry;
        }
        return r;
    }
}
