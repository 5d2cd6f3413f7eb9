package dev.caravan.proxy;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Answers a request body over {@code camel.server.max-body-size} with 413 and a JSON error in the protocol of the
 * path (a JSON-RPC error on {@code /mcp}), instead of Vert.x's plain-text page and its "unhandled exception" log line.
 */
public final class OversizeRequests extends EventNotifierSupport {

    private final long limit;

    public OversizeRequests(long limit) {
        this.limit = limit;
        setIgnoreExchangeEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.CamelContextStartedEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        CamelContext context = ((CamelEvent.CamelContextStartedEvent) event).getContext();
        for (VertxPlatformHttpRouter router : context.getRegistry().findByType(VertxPlatformHttpRouter.class)) {
            // the body limit fails the request in the server's root router, above the one Camel hands out
            if (router.getServer().getServer().requestHandler() instanceof Router root) {
                root.errorHandler(413, this::reply);
            }
        }
    }

    private void reply(RoutingContext ctx) {
        String message = "Request body is larger than the gateway accepts (" + limit + " bytes)";
        JsonObject body = ctx.request().path().startsWith("/mcp")
                ? new JsonObject().put("jsonrpc", "2.0").putNull("id")
                        .put("error", new JsonObject().put("code", -32600).put("message", message))
                : new JsonObject().put("error", new JsonObject().put("type", "request_too_large")
                        .put("message", message));
        ctx.response().setStatusCode(413).putHeader("Content-Type", "application/json").end(body.encode());
    }
}
