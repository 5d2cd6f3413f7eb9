package dev.caravan.camel;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Map;

import io.opentelemetry.context.propagation.ContextPropagators;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConsumer;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.camel.support.CamelContextHelper;

/**
 * A platform-http consumer that runs the route on the Vert.x event loop instead of parking a worker thread for the
 * whole exchange. Camel's consumer hands every request to {@code executeBlocking} and waits there, because a route may
 * block; the gateway's routes never do (every step is in-memory work or an asynchronous Vert.x call), so the two
 * thread hand-offs per request are pure cost.
 * <p>
 * The request is mapped lean: the gateway reads what the client sent from the Vert.x request ({@code ClientRequest}),
 * so instead of Camel's copy of every request header and query parameter through the header filter, the message gets
 * only what Camel itself and the routes still read from it: the body, {@link Exchange#HTTP_METHOD} (kept for a
 * backend request, and the span's method) and, when tracing is on, the headers the trace propagator extracts the
 * caller's context from plus {@link Exchange#HTTP_URL} (the span's URL). A reply the gateway built is written by
 * {@link ReplyWriter}; any other by Camel's own writer, which is package-private and so reached through a method handle
 * (a subclass in Camel's package would break wherever the gateway's jar and Camel's sit in different class loaders, as
 * under {@code camel run}).
 * <p>
 * Consequence for route authors: a step that blocks (a synchronous producer, a sleep) must not be used on these
 * routes without moving it off the event loop (the {@code threads} EIP); {@code ${header.x}} on a listener route sees
 * no request header (read the request through {@code ClientRequest}).
 */
public final class EventLoopPlatformHttpConsumer extends VertxPlatformHttpConsumer {

    private static final MethodHandle WRITE_RESPONSE = responseWriter();

    /** the request headers the trace propagator reads, none when tracing is off */
    private List<String> traceHeaders = List.of();
    /** whether the endpoint takes the whole body as Camel's default body handler does (every gateway route) */
    private boolean wholeBody;

    public EventLoopPlatformHttpConsumer(PlatformHttpEndpoint endpoint, Processor processor,
                                         List<Handler<RoutingContext>> handlers, String routerName) {
        super(endpoint, processor, handlers, routerName);
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        PlatformHttpEndpoint endpoint = getEndpoint();
        wholeBody = endpoint.isUseBodyHandler() && !endpoint.isUseStreaming() && !endpoint.isHttpProxy();
        // bound by Traces exactly when tracing is on; camel-opentelemetry2 takes the same one
        ContextPropagators propagators = CamelContextHelper.findSingleByType(endpoint.getCamelContext(),
                ContextPropagators.class);
        traceHeaders = propagators == null ? List.of() : List.copyOf(propagators.getTextMapPropagator().fields());
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
     * Maps what the routes and Camel's tracer read from the message (see the class comment); the rest of the request
     * stays on the Vert.x request. Camel's body handler leaves the body of a form null; so does this.
     */
    @Override
    protected Future<Void> populateCamelMessage(RoutingContext ctx, Exchange exchange, Message message) {
        if (!wholeBody) {
            return super.populateCamelMessage(ctx, exchange, message);
        }
        HttpServerRequest request = ctx.request();
        if (request.query() != null) {
            try {
                ctx.queryParams(); // a query that does not decode is refused (400), as when Camel copied it
            } catch (RuntimeException e) {
                return Future.failedFuture(e);
            }
        }
        Map<String, Object> headers = message.getHeaders();
        headers.put(Exchange.HTTP_METHOD, request.method().name());
        if (!traceHeaders.isEmpty()) {
            headers.put(Exchange.HTTP_URL, request.absoluteURI());
            for (String name : traceHeaders) {
                List<String> values = request.headers().getAll(name);
                if (!values.isEmpty()) {
                    headers.put(name, values.size() == 1 ? values.get(0) : values);
                }
            }
        }
        if (!form(ctx)) {
            message.setBody(ctx.body().buffer());
        }
        return Future.succeededFuture();
    }

    private static boolean form(RoutingContext ctx) {
        String type = ctx.parsedHeaders().contentType().value();
        return type != null && (type.regionMatches(true, 0, "multipart/form-data", 0, 19)
                                || type.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33));
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
        if (ReplyWriter.takes(exchange)) {
            return ReplyWriter.write(ctx, exchange, getEndpoint().getHeaderFilterStrategy());
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
