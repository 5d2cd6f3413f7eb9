package dev.caravan.camel;

import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Closes the gateway's Vert.x instance once Camel has stopped, after every listener that uses it. (As a service of the
 * context it was stopped before Camel's HTTP servers, which then failed to close on a dead event loop.)
 */
public final class VertxShutdown extends EventNotifierSupport {

    private final Vertx vertx;

    public VertxShutdown(Vertx vertx) {
        this.vertx = vertx;
        setIgnoreExchangeEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.CamelContextStoppedEvent;
    }

    @Override
    public void notify(CamelEvent event) throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
