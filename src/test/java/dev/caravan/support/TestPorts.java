package dev.caravan.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Free loopback ports for servers a test starts, so tests never collide with a running gateway. */
public final class TestPorts {

    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private TestPorts() {
    }

    /**
     * A free port not handed out before in this JVM: each probe socket is closed before the next, and the system may
     * then offer the same port again (seen: the demo issuer and a demo MCP server given one port, so the gateway of
     * AuthIT failed to start).
     */
    public static int free() {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                socket.setReuseAddress(true);
                if (GIVEN.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Points the gateway started in this JVM at free ports: traffic, management and the demo servers (the protected
     * resource is the gateway at its test port). Camel reads
     * JVM system properties before the configuration file, so this must run before the Camel context starts.
     *
     * @return the traffic port
     */
    public static int configureGateway() {
        int traffic = free();
        System.setProperty("caravan.http.port", String.valueOf(traffic));
        System.setProperty("caravan.management.port", String.valueOf(free()));
        int kb = free();
        int slack = free();
        System.setProperty("caravan.demo.knowledge-base.port", String.valueOf(kb));
        System.setProperty("caravan.demo.slack-conversations.port", String.valueOf(slack));
        System.setProperty("caravan.demo.issuer.port", String.valueOf(free()));
        System.setProperty("caravan.demo.llm.port", String.valueOf(free()));
        System.setProperty("caravan.auth.resource", "http://127.0.0.1:" + traffic + "/mcp");
        System.setProperty("mcp.knowledge-base.url", "http://127.0.0.1:" + kb + "/mcp");
        System.setProperty("mcp.slack-conversations.url", "http://127.0.0.1:" + slack + "/mcp");
        System.setProperty("camel.main.routes-reload-enabled", "false");
        return traffic;
    }
}
