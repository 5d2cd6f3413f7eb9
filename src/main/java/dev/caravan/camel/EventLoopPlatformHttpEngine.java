package dev.caravan.camel;

import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * The platform-http engine whose consumers run routes on the event loop (see {@link EventLoopPlatformHttpConsumer}),
 * on the router of the traffic port.
 */
public final class EventLoopPlatformHttpEngine extends VertxPlatformHttpEngine {

    private final int trafficPort;

    public EventLoopPlatformHttpEngine(int trafficPort) {
        this.trafficPort = trafficPort;
    }

    /**
     * The configured traffic port. Camel's engine takes the port of a server that already listens; the traffic port
     * opens only after the routes started ({@link TrafficListeners}), so it would find the management port's and put
     * every route there.
     */
    @Override
    public int getServerPort() {
        return trafficPort;
    }

    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        return new EventLoopPlatformHttpConsumer(endpoint, processor, getHandlers(),
                VertxPlatformHttpRouter.getRouterNameFromPort(getServerPort()));
    }
}
