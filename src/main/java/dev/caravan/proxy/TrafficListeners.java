package dev.caravan.proxy;

import dev.caravan.camel.TrafficServerFactory;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the traffic port once every route has started, so no client meets a gateway that cannot serve yet (Camel's
 * own listener binds nothing: see {@link TrafficServerFactory}). A port that cannot be bound fails the start.
 * <ul>
 * <li>Spreads connections over every core. A Vert.x HTTP server serves all its connections on the one event loop it was
 * created on: one server per event loop, all on the same port, share the listening socket, and Vert.x hands new
 * connections to them in turn (with one, the gateway used a single core however many it had). They all serve one root
 * router over Camel's.</li>
 * <li>Answers a request body over {@code camel.server.max-body-size} with 413, and a path or method no listener serves
 * (404, 405), a request the router cannot decode (400) or a failure outside any route (500), with a JSON error in the
 * API format of the path ({@link EdgeRefusal}), instead of Vert.x's HTML or plain-text pages; while the gateway shuts
 * down, a request its suspended or stopped routes no longer take gets 503 with Retry-After.</li>
 * </ul>
 */
public final class TrafficListeners implements StartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(TrafficListeners.class);

    private final Vertx vertx;
    private final int port;
    private final int eventLoops;
    private final long maxBodyBytes;

    /**
     * @param eventLoops how many event loops serve the traffic port
     */
    public TrafficListeners(Vertx vertx, int port, int eventLoops, long maxBodyBytes) {
        this.vertx = vertx;
        this.port = port;
        this.eventLoops = eventLoops;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // routes may still be starting; the port opens in onCamelContextFullyStarted
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) throws Exception {
        for (VertxPlatformHttpRouter routes : context.getRegistry().findByType(VertxPlatformHttpRouter.class)) {
            VertxPlatformHttpServer server = routes.getServer();
            if (!routes.isMainServer() || server.getConfigurationPort() != port) {
                continue;
            }
            if (server.getServer() != null) {
                throw new IllegalStateException("Camel opened the traffic port before the routes started: "
                        + "camel.beans.trafficServerFactory = #class:" + TrafficServerFactory.class.getName()
                        + " must stay in config/application.properties");
            }
            Router root = Router.router(vertx);
            root.route(server.getPath() + "*").subRouter(routes);
            // the body limit fails the request in the root router, above the one Camel hands out; so do paths and
            // methods no listener serves and requests the router cannot decode: all answered in the path's API
            // format instead of Vert.x's HTML or plain-text pages
            root.errorHandler(413, ctx -> refuse(ctx, 413,
                    "Request body is larger than the gateway accepts (" + maxBodyBytes + " bytes)"));
            root.errorHandler(400, ctx -> refuse(ctx, 400, "Bad Request: the request could not be decoded"));
            // while the gateway shuts down, its stopped routes' paths are unavailable rather than unknown
            root.errorHandler(404, ctx -> {
                if (context.isStarted()) {
                    refuse(ctx, 404, "Not Found: no API of this gateway at this path");
                } else {
                    unavailable(ctx);
                }
            });
            root.errorHandler(405, ctx -> refuse(ctx, 405, "Method Not Allowed: " + ctx.request().method().name()
                                                           + " is not served at this path"));
            root.errorHandler(500, ctx -> refuse(ctx, 500, "Internal error"));
            // a suspended route (the gateway is stopping): see EventLoopPlatformHttpConsumer
            root.errorHandler(503, TrafficListeners::unavailable);
            // a path whose escapes do not decode fails route matching with an ERROR log and stack trace per request;
            // refuse it first (a route without a path matches without decoding it)
            root.route().order(Integer.MIN_VALUE).handler(ctx -> {
                try {
                    ctx.normalizedPath();
                } catch (IllegalArgumentException e) {
                    refuse(ctx, 400, "Bad Request: the path could not be decoded");
                    return;
                }
                if (ctx.request().uri().indexOf('#') >= 0) {
                    // a fragment is no part of a request target (RFC 9112 3.2) and must not reach an upstream
                    refuse(ctx, 400, "Bad Request: a request target has no fragment");
                    return;
                }
                List<String> codings = ctx.request().headers().getAll(HttpHeaders.TRANSFER_ENCODING);
                if (!codings.isEmpty()) {
                    closeAfterAnswer(ctx.request());
                    if (codings.size() != 1 || !codings.get(0).equalsIgnoreCase("chunked")) {
                        refuse(ctx, 400, "Bad Request: Transfer-Encoding must be chunked alone");
                        return;
                    }
                }
                ctx.next();
            });
            String host = server.getHost();
            try {
                vertx.deployVerticle(() -> new Listener(root, host, port),
                        new DeploymentOptions().setInstances(eventLoops))
                        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw new IllegalStateException("port " + port + " (camel.server.port) on " + host
                                                + " is not available: " + e.getCause().getMessage(), e.getCause());
            }
            LOG.info("Traffic port {} open, served by {} event loops", port, eventLoops);
        }
    }

    /** A server on the traffic port, on the event loop of its verticle. */
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

    /**
     * Ends the connection of a request whose body Transfer-Encoding frames. Netty drops a Content-Length sent beside
     * it, so the pair cannot be told apart here, and RFC 9112 6.3 requires closing after the pair: a proxy in front that
     * read Content-Length would disagree on where the next request starts. A request pipelined behind this one is
     * already read, so it must die with the connection, not be served.
     */
    private static void closeAfterAnswer(HttpServerRequest request) {
        HttpServerResponse response = request.response().putHeader(HttpHeaders.CONNECTION, "close");
        response.endHandler(v -> request.connection().close());
    }

    private static void unavailable(RoutingContext ctx) {
        ctx.response().putHeader("Retry-After", "1");
        refuse(ctx, 503, "The gateway is stopping; try again");
    }

    private static void refuse(RoutingContext ctx, int status, String message) {
        EdgeRefusal.send(ctx.response(), ctx.request().path(), status, message);
    }
}
