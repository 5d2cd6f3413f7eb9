package dev.caravan.proxy;

import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/** The platform-http engine whose consumers run routes on the event loop; see {@link EventLoopPlatformHttpConsumer}. */
public final class EventLoopPlatformHttpEngine extends VertxPlatformHttpEngine {

    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        return new EventLoopPlatformHttpConsumer(endpoint, processor, getHandlers(),
                VertxPlatformHttpRouter.getRouterNameFromPort(getServerPort()));
    }
}
