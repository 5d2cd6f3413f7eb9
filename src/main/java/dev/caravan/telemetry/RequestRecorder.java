package dev.caravan.telemetry;

import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import dev.caravan.core.RequestContext;

/**
 * What a listener does first and last for every request, whatever its kind: the first step ({@link #arrived}) attaches
 * the request's typed context, which holds when it arrived, and counts one more in flight; the last ({@link #record},
 * the listener's onCompletion) counts it out and, unless per-request recording is off ({@code caravan.observe.requests}),
 * has the subclass record it: metrics, one access log line, span attributes. Both are processors, so a route step
 * calls them without Camel's bean binding.
 *
 * @param <C> the listener's kind of request context
 */
public abstract class RequestRecorder<C extends RequestContext> {

    protected final GatewayMetrics metrics;
    private final String listener;
    private final Class<C> type;
    private volatile AtomicInteger active;

    protected RequestRecorder(GatewayMetrics metrics, String listener, Class<C> type) {
        this.metrics = metrics;
        this.listener = listener;
        this.type = type;
    }

    /** The listener's first step. */
    public final Processor arrived() {
        return exchange -> {
            arrive(System.nanoTime()).attach(exchange);
            active().incrementAndGet();
        };
    }

    /** The listener's last step, whatever happened. */
    public final Processor record() {
        return exchange -> {
            active().decrementAndGet();
            if (metrics.perRequest()) {
                C context = RequestContext.of(exchange, type);
                record(exchange, context, System.nanoTime() - context.startedNanos());
            }
        };
    }

    /** A new context for a request that arrived at {@code nanos} (System.nanoTime()). */
    protected abstract C arrive(long nanos);

    /** Records one request, {@code nanos} after it arrived. */
    protected abstract void record(Exchange exchange, C context, long nanos);

    private AtomicInteger active() {
        AtomicInteger a = active;
        return a != null ? a : (active = metrics.active(listener));
    }
}
