package dev.caravan.mcp;

import io.vertx.core.Vertx;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;

import dev.caravan.telemetry.GatewayMetrics;
import dev.caravan.telemetry.Traces;

/**
 * The settings and tools that the passive health checks of every MCP backend share: the probe, its timer, the metrics
 * and the backoff. The state is each backend's own ({@link McpBackendHealth}, made with its {@link McpBackend}), so a
 * backend that a reload replaces starts up and a removed one leaves nothing behind.
 */
public final class McpOutlierDetection {

    private final CamelContext context;
    private final Vertx vertx;
    private final GatewayMetrics metrics;
    private final BackendProbe probe;
    private final long backoffMillis;
    private final long maxBackoffMillis;
    private volatile ProducerTemplate template;

    /**
     * @param probeTimeoutMillis how long a probe waits for the backend's answer (the fan-out timeout)
     * @param backoffMillis      how long a backend stays down before the first probe
     * @param maxBackoffMillis   the longest wait between probes of a backend that stays down
     */
    public McpOutlierDetection(CamelContext context, Vertx vertx, GatewayMetrics metrics, Traces traces,
                               long probeTimeoutMillis, long backoffMillis, long maxBackoffMillis) {
        this.context = context;
        this.vertx = vertx;
        this.metrics = metrics;
        this.probe = new BackendProbe(traces, probeTimeoutMillis);
        this.backoffMillis = backoffMillis;
        this.maxBackoffMillis = Math.max(backoffMillis, maxBackoffMillis);
    }

    GatewayMetrics metrics() {
        return metrics;
    }

    long backoffMillis() {
        return backoffMillis;
    }

    long maxBackoffMillis() {
        return maxBackoffMillis;
    }

    void later(long delayMillis, Runnable step) {
        vertx.setTimer(delayMillis, t -> step.run());
    }

    /** Probes the backend through its route; {@code done} runs once the probe is over (answered or not). */
    void probe(String backend, Runnable done) {
        Route route = context.getRoute(backend);
        if (route == null) {
            // removed meanwhile: its health was retired with it
            return;
        }
        probe.probe(template(), backend, route.getEndpoint()).whenComplete((answer, thrown) -> done.run());
    }

    private synchronized ProducerTemplate template() {
        if (template == null) {
            template = context.createProducerTemplate();
        }
        return template;
    }
}
