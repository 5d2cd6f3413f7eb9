package dev.caravan.mcp;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.caravan.proxy.UpstreamCall;
import dev.caravan.telemetry.Traces;

/**
 * The first discovery round, and the readiness check that waits for it. Once Camel has started the routes, every MCP
 * backend is asked once, through its own route (its URL, headers and timeouts), what it is: an {@code initialize},
 * then a DELETE of the session that opened. {@code /observe/health/ready} is DOWN until each backend answered or
 * failed; a backend that is down only delays readiness by the fan-out timeout, because a replica that serves the
 * other backends is more use than one kept out of the load balancer. The details name each backend's outcome.
 */
public final class McpDiscovery extends EventNotifierSupport {

    private static final Logger LOG = LoggerFactory.getLogger(McpDiscovery.class);
    private static final String PENDING = "pending";
    private static final byte[] INITIALIZE = """
            {"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",\
            "capabilities":{},"clientInfo":{"name":"caravan-discovery","version":"1"}}}"""
            .getBytes(StandardCharsets.UTF_8);

    private final McpBackends backends;
    private final long timeoutMillis;
    private final Traces traces;
    private final Map<String, String> outcomes = new ConcurrentHashMap<>();
    private volatile boolean started;
    private final Readiness readiness = new Readiness();

    public McpDiscovery(McpBackends backends, long timeoutMillis, Traces traces) {
        this.backends = backends;
        this.timeoutMillis = timeoutMillis;
        this.traces = traces;
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
        CamelContext context = ((CamelEvent.CamelContextStartedEvent) event).getContext();
        ProducerTemplate template = context.createProducerTemplate();
        for (McpBackends.Backend backend : backends.all()) {
            outcomes.put(backend.name(), PENDING);
        }
        started = true;
        for (McpBackends.Backend backend : backends.all()) {
            Exchange ask = request(context, backend.name(), "POST", INITIALIZE, null);
            template.asyncSend(backend.endpoint(), ask).whenComplete((answer, thrown) -> {
                Exception e = thrown instanceof Exception t ? t : answer.getException();
                if (e != null) {
                    record(backend.name(), "failed: " + e.getMessage());
                    return;
                }
                int status = answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
                record(backend.name(), status / 100 == 2 ? "up" : "answered HTTP " + status);
                String session = answer.getMessage().getHeader(McpSessionCheck.HEADER, String.class);
                if (session != null) {
                    template.asyncSend(backend.endpoint(), request(context, backend.name(), "DELETE", null, session));
                }
            });
        }
    }

    private Exchange request(CamelContext context, String backend, String method, byte[] body, String session) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, method);
        McpBackendRequest.prepare(exchange, backend, body, traces);
        if (session != null) {
            exchange.getMessage().setHeader(McpSessionCheck.HEADER, session);
        }
        exchange.setProperty(UpstreamCall.DEADLINE, System.currentTimeMillis() + timeoutMillis);
        return exchange;
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
            if (started && !outcomes.containsValue(PENDING)) {
                builder.up();
            } else {
                builder.message("first discovery of the MCP backends not done").down();
            }
        }
    }
}
