package dev.caravan.mcp;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.caravan.proxy.UpstreamException;

/**
 * The passive health check of one MCP backend (outlier detection), per replica, owned by its {@link McpBackend}: a
 * reload that replaces the backend's route (a new URL, say) starts from a fresh one, and a removed backend takes its
 * state and its gauge along. A backend that refused the connection or did not answer in time is down: fan-outs
 * (initialize, lists, notifications, streams) leave it out at once instead of waiting their timeout for it each time,
 * and count it as a backend failure with reason {@code down} ({@code caravan_mcp_backend_failures_total}, like the
 * failures that left it out before). A probe ({@link BackendProbe}) asks it again after a backoff that doubles from
 * {@code backoff} up to {@code maxBackoff}; any answer from it, to a probe or to a call routed to it, brings it back.
 * Its state is the gauge {@code caravan_mcp_backend_up{backend}}, registered while its route runs, and a detail of
 * the readiness check; each change is logged once. Calls routed to a down backend still go to it: they are the
 * client's explicit choice and have their own timeout. Guarded by itself.
 */
public final class McpBackendHealth {

    private static final Logger LOG = LoggerFactory.getLogger(McpBackendHealth.class);
    /** failures that say the backend is not there or not answering, as opposed to answering badly */
    private static final Set<UpstreamException.Kind> DOWN = EnumSet.of(UpstreamException.Kind.CONNECT,
            UpstreamException.Kind.TIMEOUT, UpstreamException.Kind.IDLE);

    /** of a route in the backends' group that is not made from the kamelet: never started, so never down */
    static final McpBackendHealth UNWATCHED = new McpBackendHealth(null);

    private final McpOutlierDetection detection;
    private final AtomicInteger up = new AtomicInteger(1);
    private volatile boolean down;
    /** its route's id, the backend's name everywhere (metrics, logs, qualified names) */
    private volatile String backend;
    /** counts the starts of its route, so that a probe scheduled before a stop and start does nothing */
    private int run;
    private Gauge gauge;
    private String reason;
    private long backoff;
    private long nextProbe;

    McpBackendHealth(McpOutlierDetection detection) {
        this.detection = detection;
    }

    /** Its route started: the backend counts as up until it fails. */
    synchronized void start(String routeId) {
        backend = routeId;
        run++;
        down = false;
        up.set(1);
        gauge = Gauge.builder("caravan.mcp.backend.up", up, AtomicInteger::get)
                .description("1 while the MCP backend answers, 0 while it is down and left out of fan-outs")
                .tags(Tags.of("backend", backend)).register(detection.metrics().registry());
    }

    /** Its route stopped (removed, or replaced by a reload): no more probes, and no gauge left behind. */
    synchronized void stop() {
        down = false;
        if (gauge != null) {
            detection.metrics().registry().remove(gauge);
            gauge = null;
        }
    }

    /** Whether fan-outs leave the backend out. */
    public boolean isDown() {
        return down;
    }

    /** A fan-out left the backend out because it is down. */
    void skipped(String method) {
        detection.metrics().backendFailure(backend, method, "down");
    }

    /** What a call to the backend (any request, probes included) says about its health. */
    void observed(Exchange call) {
        Exception failure = call.getException();
        if (failure == null) {
            answered();
        } else if (failure instanceof UpstreamException u && DOWN.contains(u.kind())) {
            failed(u.kind().name().toLowerCase(Locale.ROOT));
        }
    }

    private void answered() {
        synchronized (this) {
            if (!down) {
                return;
            }
            down = false;
            up.set(1);
        }
        LOG.info("MCP backend {} answers again: back in fan-outs", backend);
    }

    private void failed(String why) {
        synchronized (this) {
            if (down || gauge == null) {
                // a probe's own failure (its completion schedules the next one), or a call that outlived the route
                return;
            }
            down = true;
            reason = why;
            up.set(0);
            backoff = detection.backoffMillis();
        }
        LOG.warn("MCP backend {} is down ({}): left out of fan-outs, probed in {}", backend, why,
                duration(backoff));
        scheduleProbe();
    }

    private void scheduleProbe() {
        long delay;
        int scheduledIn;
        synchronized (this) {
            delay = backoff;
            nextProbe = System.currentTimeMillis() + delay;
            scheduledIn = run;
        }
        detection.later(delay, () -> probe(scheduledIn));
    }

    private synchronized boolean probing(int scheduledIn) {
        return down && run == scheduledIn;
    }

    private void probe(int scheduledIn) {
        if (!probing(scheduledIn)) {
            return;
        }
        detection.probe(backend, () -> {
            synchronized (this) {
                if (!probing(scheduledIn)) {
                    return;
                }
                backoff = Math.min(backoff * 2, detection.maxBackoffMillis());
            }
            scheduleProbe();
        });
    }

    /** Its state for the readiness details while it is down (down, the reason and the next probe), else null. */
    synchronized String describe() {
        return down ? "down (" + reason + "), next probe in "
                      + duration(Math.max(0, nextProbe - System.currentTimeMillis())) : null;
    }

    private static String duration(long millis) {
        return millis < 1000 ? millis + " ms" : millis % 1000 == 0 ? millis / 1000 + " s" : millis / 1000.0 + " s";
    }
}
