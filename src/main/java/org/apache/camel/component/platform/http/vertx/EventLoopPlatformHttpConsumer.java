package org.apache.camel.component.platform.http.vertx;

import java.util.List;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;

/**
 * A platform-http consumer that runs the route on the Vert.x event loop instead of parking a worker thread for the
 * whole exchange. Camel's consumer hands every request to {@code executeBlocking} and waits there, because a route may
 * block; the gateway's routes never do (every step is in-memory work or an asynchronous Vert.x call), so the two
 * thread hand-offs per request are pure cost. It lives in Camel's package to reuse its request and response mapping.
 * <p>
 * Consequence for route authors: a step that blocks (a synchronous producer, a sleep) must not be used on these
 * routes without moving it off the event loop (the {@code threads} EIP).
 */
public final class EventLoopPlatformHttpConsumer extends VertxPlatformHttpConsumer {

    public EventLoopPlatformHttpConsumer(PlatformHttpEndpoint endpoint, Processor processor,
                                         List<Handler<RoutingContext>> handlers, String routerName) {
        super(endpoint, processor, handlers, routerName);
    }

    @Override
    protected void handleRequest(RoutingContext ctx) {
        if (isSuspended()) {
            ctx.response().setStatusCode(503);
            ctx.end();
            return;
        }
        Exchange exchange = createExchange(false);
        exchange.setPattern(ExchangePattern.InOut);
        processHttpRequest(exchange, ctx).onComplete(read -> {
            if (read.failed()) {
                fail(exchange, ctx, read.cause());
                return;
            }
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
        return VertxPlatformHttpSupport.writeResponse(ctx, exchange, getEndpoint().getHeaderFilterStrategy(),
                getEndpoint().isMuteException());
    }

    private void fail(Exchange exchange, RoutingContext ctx, Throwable failure) {
        getExceptionHandler().handleException("Failed handling platform-http endpoint " + getEndpoint().getPath(),
                failure);
        ctx.fail(failure);
        doneUoW(exchange);
        releaseExchange(exchange, false);
    }
}
