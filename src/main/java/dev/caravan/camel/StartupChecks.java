package dev.caravan.camel;

import dev.caravan.core.StartupFailure;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Fails startup when a listening port is taken. Camel's Vert.x server only logs a warning in that case and the
 * gateway would run without serving; an operator must see it fail instead.
 */
public final class StartupChecks extends MainListenerSupport {

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        PropertiesComponent props = main.getCamelContext().getPropertiesComponent();
        checkFree(props, "camel.server.port", "camel.server.host");
        checkFree(props, "camel.management.port", "camel.management.host");
    }

    private static void checkFree(PropertiesComponent props, String portKey, String hostKey) {
        int port = props.resolveProperty(portKey).map(String::strip).map(Integer::parseInt).orElse(-1);
        if (port <= 0) {
            return;
        }
        String host = props.resolveProperty(hostKey).orElse("0.0.0.0");
        // a bound socket that does not listen: a server socket would accept (and then reset) clients that connect
        // while the gateway starts
        try (Socket socket = new Socket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw new StartupFailure("port " + port + " (" + portKey + ") on " + host + " is not available: "
                                     + e.getMessage() + ". Stop what uses it or choose another port.");
        }
    }
}
