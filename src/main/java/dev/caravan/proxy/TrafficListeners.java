package dev.caravan.proxy;

import java.util.concurrent.TimeUnit;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes Camel's traffic listener once Camel has started it.
 * <ul>
 * <li>Spreads connections over every core. A Vert.x HTTP server serves all its connections on the one event loop it was
 * created on, and Camel creates one: the gateway used a single core however many it had (measured: one event loop
 * thread at 100 %, the others idle). More servers on the same port, each on an event loop of its own, share the
 * listening socket, and Vert.x hands new connections to them in turn. They serve the same router as Camel's.</li>
 * <li>Answers a request body over {@code camel.server.max-body-size} with 413, and a path or method no listener serves
 * (404, 405), a request the router cannot decode (400) or a failure outside any route (500), with a JSON error in the
 * API format of the path ({@link EdgeRefusal}), instead of Vert.x's HTML or plain-text pages.</li>
 * </ul>
 */
public final class TrafficListeners extends EventNotifierSupport {

    private static final Logger LOG = LoggerFactory.getLogger(TrafficListeners.class);

    private final Vertx vertx;
    private final int port;
    private final int eventLoops;
    private final long maxBodyBytes;

    /**
     * @param eventLoops how many event loops serve the traffic port in all (Camel's own listener is one of them)
     */
    public TrafficListeners(Vertx vertx, int port, int eventLoops, long maxBodyBytes) {
        this.vertx = vertx;
        this.port = port;
        this.eventLoops = eventLoops;
        this.maxBodyBytes = maxBodyBytes;
        setIgnoreExchangeEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.CamelContextStartedEvent;
    }

    @Override
    public void notify(CamelEvent event) throws Exception {
        CamelContext context = ((CamelEvent.CamelContextStartedEvent) event).getContext();
        for (VertxPlatformHttpRouter router : context.getRegistry().findByType(VertxPlatformHttpRouter.class)) {
            VertxPlatformHttpServer server = router.getServer();
            if (server.getPort() != port || !(server.getServer().requestHandler() instanceof Router root)) {
                continue;
            }
            // the body limit fails the request in the server's root router, above the one Camel hands out; so do
            // paths and methods no listener serves and requests the router cannot decode: all answered in the
            // path's API format instead of Vert.x's HTML or plain-text pages
            root.errorHandler(413, ctx -> refuse(ctx, 413,
                    "Request body is larger than the gateway accepts (" + maxBodyBytes + " bytes)"));
            root.errorHandler(400, ctx -> refuse(ctx, 400, "Bad Request: the request could not be decoded"));
            root.errorHandler(404, ctx -> refuse(ctx, 404, "Not Found: no API of this gateway at this path"));
            root.errorHandler(405, ctx -> refuse(ctx, 405, "Method Not Allowed: " + ctx.request().method().name()
                                                           + " is not served at this path"));
            root.errorHandler(500, ctx -> refuse(ctx, 500, "Internal error"));
            // a path whose escapes do not decode fails route matching with an ERROR log and stack trace per request;
            // refuse it first (a route without a path matches without decoding it)
            root.route().order(Integer.MIN_VALUE).handler(ctx -> {
                try {
                    ctx.normalizedPath();
                } catch (IllegalArgumentException e) {
                    refuse(ctx, 400, "Bad Request: the path could not be decoded");
                    return;
                }
                ctx.next();
            });
            if (eventLoops > 1) {
                String host = server.getHost();
                vertx.deployVerticle(() -> new Listener(root, host, port),
                        new DeploymentOptions().setInstances(eventLoops - 1))
                        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                LOG.info("Traffic port {} served by {} event loops", port, eventLoops);
            }
        }
    }

    /** One more server on the traffic port, on the event loop of its verticle. */
    private static final class Listener extends AbstractVerticle {
        private final Handler<HttpServerRequest> handler;
        private final String host;
        private final int port;

        Listener(Handler<HttpServerRequest> handler, String host, int port) {
            this.handler = handler;
            this.host = host;
            this.port = port;
        }

        @Override
        public void start(Promise<Void> started) {
            vertx.createHttpServer(new HttpServerOptions()).requestHandler(handler).listen(port, host)
                    .<Void>mapEmpty().onComplete(started);
        }
    }

    private static void refuse(RoutingContext ctx, int status, String message) {
        EdgeRefusal.send(ctx.response(), ctx.request().path(), status, message);
    }
}
