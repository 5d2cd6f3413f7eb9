package dev.caravan.mcp;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.ProducerTemplate;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.caravan.telemetry.Traces;

/**
 * The first discovery round, and the readiness check that waits for it. Once Camel has started the routes, every MCP
 * backend is asked once ({@link BackendProbe}) what it is. {@code /observe/health/ready} is DOWN until each backend
 * answered or failed; a backend that is down only delays readiness by the fan-out timeout, because a replica that
 * serves the other backends is more use than one kept out of the load balancer. The details name each backend's
 * outcome, and later whether it is down (its {@link McpBackendHealth}).
 */
public final class McpDiscovery extends EventNotifierSupport {

    private static final Logger LOG = LoggerFactory.getLogger(McpDiscovery.class);
    private static final String PENDING = "pending";

    private final McpBackends backends;
    private final BackendProbe probe;
    private final Map<String, String> outcomes = new ConcurrentHashMap<>();
    private volatile boolean started;
    private final Readiness readiness = new Readiness();

    public McpDiscovery(McpBackends backends, long timeoutMillis, Traces traces) {
        this.backends = backends;
        this.probe = new BackendProbe(traces, timeoutMillis);
        setIgnoreExchangeEvents(true);
    }

    /** The readiness check to bind in the registry, where Camel's health registry finds it. */
    public AbstractHealthCheck readiness() {
        return readiness;
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.CamelContextStartedEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        ProducerTemplate template = ((CamelEvent.CamelContextStartedEvent) event).getContext()
                .createProducerTemplate();
        for (McpBackends.Backend backend : backends.all()) {
            outcomes.put(backend.name(), PENDING);
        }
        started = true;
        for (McpBackends.Backend backend : backends.all()) {
            probe.probe(template, backend.name(), backend.endpoint()).whenComplete((answer, thrown) ->
                    record(backend.name(), thrown != null ? "failed: " + thrown.getMessage()
                            : answer.ok() ? "up" : "failed: " + answer.failure()));
        }
    }

    private void record(String backend, String outcome) {
        outcomes.put(backend, outcome);
        if (!outcome.equals("up")) {
            LOG.warn("MCP backend {} at startup: {}", backend, outcome);
        }
    }

    private final class Readiness extends AbstractHealthCheck {

        Readiness() {
            super("caravan", "mcp-backends-discovered");
        }

        @Override
        public boolean isLiveness() {
            return false;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            outcomes.forEach(builder::detail);
            for (McpBackends.Backend backend : backends.all()) {
                String down = backend.health().describe();
                if (down != null) {
                    builder.detail(backend.name(), down);
                }
            }
            if (started && !outcomes.containsValue(PENDING)) {
                builder.up();
            } else {
                builder.message("first discovery of the MCP backends not done").down();
            }
        }
    }
}
