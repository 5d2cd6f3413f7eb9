package dev.caravan.camel;

import org.apache.camel.CamelContext;
import org.apache.camel.Service;
import org.apache.camel.component.platform.http.main.DefaultMainHttpServerFactory;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.main.HttpServerConfigurationProperties;
import org.apache.camel.support.service.ServiceHelper;

/**
 * camel-main's HTTP servers, except that the traffic server binds no port: Camel's listens as soon as its service
 * starts, before any route has, and for a second or more answered every request with Vert.x's HTML 404.
 * {@link TrafficListeners} binds the port once every route has started. The management server is camel-main's own.
 * <p>
 * camel-main takes the factory from the registry, but creates the servers before it runs configuration classes, so
 * the bean is declared in config/application.properties ({@code camel.beans.trafficServerFactory}), which it reads
 * first.
 */
public final class TrafficServerFactory extends DefaultMainHttpServerFactory {

    @Override
    public Service newHttpServer(CamelContext context, HttpServerConfigurationProperties properties) {
        MainHttpServer configured = (MainHttpServer) super.newHttpServer(context, properties);
        if (configured.getSslContextParameters() != null || configured.isUseGlobalSslContextParameters()) {
            // the listeners are plain HTTP; terminating TLS in front of the gateway is the supported setup
            throw new IllegalArgumentException("TLS on the traffic port (camel.server.*ssl*) is not supported");
        }
        return new MainServer(configured);
    }

    /** Camel's main HTTP server (routes, startup summary) over a Vert.x server that does not listen. */
    private static final class MainServer extends MainHttpServer {
        private VertxPlatformHttpServer server;

        MainServer(MainHttpServer configured) {
            setCamelContext(configured.getCamelContext());
            setConfiguration(configured.getConfiguration());
            setStaticEnabled(configured.isStaticEnabled());
            setStaticSourceDir(configured.getStaticSourceDir());
            setStaticContextPath(configured.getStaticContextPath());
        }

        @Override
        protected void doInit() throws Exception {
            getConfiguration().setServerType(VertxPlatformHttpRouter.SERVER_TYPE_SERVER);
            server = new UnboundServer(getConfiguration());
            getCamelContext().addService(server);
        }

        @Override
        protected void doStart() throws Exception {
            ServiceHelper.startService(server);
            super.doStart();
        }
    }

    /** Builds the router the platform-http routes join, and leaves the port to {@link TrafficListeners}. */
    private static final class UnboundServer extends VertxPlatformHttpServer {
        UnboundServer(VertxPlatformHttpServerConfiguration configuration) {
            super(configuration);
        }

        @Override
        protected void startServer() {
            // not now: TrafficListeners binds the port when the routes can serve
        }
    }
}
