package dev.caravan.camel;

import dev.caravan.core.ClientRequest;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConsumer;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * A platform-http consumer that runs the route on the Vert.x event loop instead of parking a worker thread for the
 * whole exchange. Camel's consumer hands every request to {@code executeBlocking} and waits there, because a route may
 * block; the gateway's routes never do (every step is in-memory work or an asynchronous Vert.x call), so the two
 * thread hand-offs per request are pure cost. Requests and replies are mapped by Camel's own code: the reply writer is
 * package-private, so it is reached through a method handle (a subclass in Camel's package would break wherever the
 * gateway's jar and Camel's sit in different class loaders, as under {@code camel run}).
 * <p>
 * Consequence for route authors: a step that blocks (a synchronous producer, a sleep) must not be used on these
 * routes without moving it off the event loop (the {@code threads} EIP).
 */
public final class EventLoopPlatformHttpConsumer extends VertxPlatformHttpConsumer {

    private static final MethodHandle WRITE_RESPONSE = responseWriter();

    public EventLoopPlatformHttpConsumer(PlatformHttpEndpoint endpoint, Processor processor,
                                         List<Handler<RoutingContext>> handlers, String routerName) {
        super(endpoint, processor, handlers, routerName);
    }

    @Override
    protected void handleRequest(RoutingContext ctx) {
        if (isSuspended()) {
            ctx.fail(503); // answered by the traffic port's root router, in JSON (TrafficListeners)
            return;
        }
        Exchange exchange = createExchange(false);
        exchange.setPattern(ExchangePattern.InOut);
        processHttpRequest(exchange, ctx).onComplete(read -> {
            if (read.failed()) {
                fail(exchange, ctx, read.cause());
                return;
            }
            ClientRequest.keepRequestHeadersOnly(exchange.getIn(), ctx.request());
            try {
                createUoW(exchange);
            } catch (Exception e) {
                fail(exchange, ctx, e);
                return;
            }
            getAsyncProcessor().process(exchange, doneSync -> respond(ctx, exchange)
                    .onComplete(written -> {
                        if (written.failed()) {
                            fail(exchange, ctx, written.cause());
                        } else {
                            doneUoW(exchange);
                            releaseExchange(exchange, false);
                        }
                    }));
        });
    }

    /**
     * Writes the route's reply, unless the route already streamed one (its head is out) or the client is gone; a
     * streamed reply the route left open is ended here.
     */
    private Future<Void> respond(RoutingContext ctx, Exchange exchange) {
        HttpServerResponse response = ctx.response();
        if (response.closed() || response.ended()) {
            return Future.succeededFuture();
        }
        if (response.headWritten()) {
            return response.end();
        }
        try {
            return (Future<Void>) WRITE_RESPONSE.invokeExact(ctx, exchange, getEndpoint().getHeaderFilterStrategy(),
                    getEndpoint().isMuteException());
        } catch (Throwable e) {
            return Future.failedFuture(e);
        }
    }

    private static MethodHandle responseWriter() {
        try {
            Class<?> support = Class.forName("org.apache.camel.component.platform.http.vertx.VertxPlatformHttpSupport",
                    false, VertxPlatformHttpConsumer.class.getClassLoader());
            return MethodHandles.privateLookupIn(support, MethodHandles.lookup()).findStatic(support, "writeResponse",
                    MethodType.methodType(Future.class, RoutingContext.class, Exchange.class,
                            HeaderFilterStrategy.class, boolean.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private void fail(Exchange exchange, RoutingContext ctx, Throwable failure) {
        getExceptionHandler().handleException("Failed handling platform-http endpoint " + getEndpoint().getPath(),
                failure);
        ctx.fail(failure);
        doneUoW(exchange);
        releaseExchange(exchange, false);
    }
}
