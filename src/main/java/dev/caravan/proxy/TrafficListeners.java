package dev.caravan.proxy;

import java.util.concurrent.TimeUnit;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
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
 * <li>Answers a request body over {@code camel.server.max-body-size} with 413 and a JSON error in the protocol of the
 * path (a JSON-RPC error on {@code /mcp}, a provider-style error elsewhere), instead of Vert.x's plain-text page and its
 * "unhandled exception" log line.</li>
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
            // the body limit fails the request in the server's root router, above the one Camel hands out
            root.errorHandler(413, this::tooLarge);
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

    private void tooLarge(RoutingContext ctx) {
        String message = "Request body is larger than the gateway accepts (" + maxBodyBytes + " bytes)";
        String path = ctx.request().path();
        JsonObject body = path.startsWith("/mcp")
                ? new JsonObject().put("jsonrpc", "2.0").putNull("id")
                        .put("error", new JsonObject().put("code", -32600).put("message", message))
                : path.contains("/projects/")
                        ? new JsonObject().put("error", new JsonObject().put("code", 413).put("message", message)
                                .put("status", "INVALID_ARGUMENT"))
                        : new JsonObject().put("type", "error").put("error", new JsonObject()
                                .put("type", "request_too_large").put("message", message));
        ctx.response().setStatusCode(413).putHeader("Content-Type", "application/json").end(body.encode());
    }
}
