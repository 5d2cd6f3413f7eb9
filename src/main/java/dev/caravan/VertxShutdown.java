package dev.caravan;

import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import org.apache.camel.support.service.ServiceSupport;

/** Closes the gateway's Vert.x instance when Camel stops, after the listeners that use it. */
final class VertxShutdown extends ServiceSupport {

    private final Vertx vertx;

    VertxShutdown(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    protected void doStop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
