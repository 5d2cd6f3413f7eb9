package dev.caravan.mcp;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Vertx;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.caravan.proxy.UpstreamException;
import dev.caravan.telemetry.GatewayMetrics;
import dev.caravan.telemetry.Traces;

/**
 * Passive health checks of the MCP backends (outlier detection), kept per replica. A backend that refused the
 * connection or did not answer in time is down: fan-outs (initialize, lists, notifications, streams) leave it out at
 * once instead of waiting their timeout for it each time, and count it as a backend failure with reason {@code down}
 * ({@code caravan_mcp_backend_failures_total}, like the failures that left it out before).
 * A probe ({@link BackendProbe}) asks it again after a backoff that doubles from {@code backoff} up to
 * {@code maxBackoff}; any answer from it, to a probe or to a call routed to it, brings it back. Its state is the gauge
 * {@code caravan_mcp_backend_up{backend}} and a detail of the readiness check; each change is logged once. Calls
 * routed to a down backend still go to it: they are the client's explicit choice and have their own timeout.
 */
public final class McpBackendHealth {

    private static final Logger LOG = LoggerFactory.getLogger(McpBackendHealth.class);
    /** failures that say the backend is not there or not answering, as opposed to answering badly */
    private static final Set<UpstreamException.Kind> DOWN = EnumSet.of(UpstreamException.Kind.CONNECT,
            UpstreamException.Kind.TIMEOUT, UpstreamException.Kind.IDLE);

    private final CamelContext context;
    private final Vertx vertx;
    private final GatewayMetrics metrics;
    private final BackendProbe probe;
    private final long backoffMillis;
    private final long maxBackoffMillis;
    private final Map<String, State> states = new ConcurrentHashMap<>();
    private volatile ProducerTemplate template;

    /** One backend's state; guarded by itself. */
    private final class State {
        /** replaced when its route is (hot reload), so probes go to the current one */
        volatile McpBackends.Backend backend;
        final AtomicInteger up = new AtomicInteger(1);
        final Gauge gauge;
        volatile boolean down;
        String reason;
        long backoff;
        long nextProbe;
        boolean retired;

        State(McpBackends.Backend backend) {
            this.backend = backend;
            gauge = Gauge.builder("caravan.mcp.backend.up", up, AtomicInteger::get)
                    .description("1 while the MCP backend answers, 0 while it is down and left out of fan-outs")
                    .tags(Tags.of("backend", backend.name())).register(metrics.registry());
        }
    }

    /**
     * @param probeTimeoutMillis how long a probe waits for the backend's answer (the fan-out timeout)
     * @param backoffMillis      how long a backend stays down before the first probe
     * @param maxBackoffMillis   the longest wait between probes of a backend that stays down
     */
    public McpBackendHealth(CamelContext context, Vertx vertx, GatewayMetrics metrics, Traces traces,
                            long probeTimeoutMillis, long backoffMillis, long maxBackoffMillis) {
        this.context = context;
        this.vertx = vertx;
        this.metrics = metrics;
        this.probe = new BackendProbe(traces, probeTimeoutMillis);
        this.backoffMillis = backoffMillis;
        this.maxBackoffMillis = Math.max(backoffMillis, maxBackoffMillis);
    }

    /** Whether fan-outs leave the backend out. */
    public boolean isDown(String backend) {
        State state = states.get(backend);
        return state != null && state.down;
    }

    /** A fan-out left the backend out because it is down. */
    void skipped(String backend, String method) {
        metrics.backendFailure(backend, method, "down");
    }

    /** What a call to the backend (any request, probes included) says about its health. */
    void observed(McpBackends.Backend backend, Exchange call) {
        Exception failure = call.getException();
        if (failure == null) {
            answered(state(backend));
        } else if (failure instanceof UpstreamException u && DOWN.contains(u.kind())) {
            failed(state(backend), u.kind().name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private State state(McpBackends.Backend backend) {
        return states.computeIfAbsent(backend.name(), name -> new State(backend));
    }

    private void answered(State state) {
        synchronized (state) {
            if (!state.down) {
                return;
            }
            state.down = false;
            state.up.set(1);
        }
        LOG.info("MCP backend {} answers again: back in fan-outs", state.backend.name());
    }

    private void failed(State state, String reason) {
        synchronized (state) {
            if (state.down || state.retired) {
                // a probe's own failure: its completion schedules the next one
                return;
            }
            state.down = true;
            state.reason = reason;
            state.up.set(0);
            state.backoff = backoffMillis;
        }
        LOG.warn("MCP backend {} is down ({}): left out of fan-outs, probed in {}", state.backend.name(), reason,
                duration(backoffMillis));
        scheduleProbe(state);
    }

    private void scheduleProbe(State state) {
        long delay;
        synchronized (state) {
            delay = state.backoff;
            state.nextProbe = System.currentTimeMillis() + delay;
        }
        vertx.setTimer(delay, t -> probe(state));
    }

    private void probe(State state) {
        if (!state.down || state.retired) {
            return;
        }
        probe.probe(template(), state.backend).whenComplete((answer, thrown) -> {
            synchronized (state) {
                if (!state.down || state.retired) {
                    return;
                }
                state.backoff = Math.min(state.backoff * 2, maxBackoffMillis);
            }
            scheduleProbe(state);
        });
    }

    private synchronized ProducerTemplate template() {
        if (template == null) {
            template = context.createProducerTemplate();
        }
        return template;
    }

    private static String duration(long millis) {
        return millis < 1000 ? millis + " ms" : millis % 1000 == 0 ? millis / 1000 + " s" : millis / 1000.0 + " s";
    }

    /** Follows route changes: the current route of each backend, and none of those no longer declared. */
    void retain(List<McpBackends.Backend> declared) {
        Map<String, McpBackends.Backend> byName = new HashMap<>();
        declared.forEach(b -> byName.put(b.name(), b));
        states.values().removeIf(state -> {
            McpBackends.Backend current = byName.get(state.backend.name());
            if (current != null) {
                state.backend = current;
                return false;
            }
            synchronized (state) {
                state.retired = true;
            }
            metrics.registry().remove(state.gauge);
            return true;
        });
    }

    /** Each backend's state for the readiness details: up, or down with the reason and the next probe. */
    Map<String, String> describe() {
        Map<String, String> described = new LinkedHashMap<>();
        long now = System.currentTimeMillis();
        states.forEach((name, state) -> {
            synchronized (state) {
                if (state.down) {
                    described.put(name, "down (" + state.reason + "), next probe in "
                                        + duration(Math.max(0, state.nextProbe - now)));
                }
            }
        });
        return described;
    }
}
