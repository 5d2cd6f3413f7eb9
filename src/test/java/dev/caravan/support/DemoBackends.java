package dev.caravan.support;

import io.vertx.core.Vertx;

import dev.caravan.demo.DemoServers;
import dev.caravan.demo.StubLlmProvider;

/**
 * The demo's servers in the test JVM, on the ports a {@link GatewayProcess} points its backends at, for tests that run
 * the product jar or image (which carry no demo) against the backends the shipped routes declare.
 */
public final class DemoBackends implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final DemoServers servers;

    public DemoBackends(GatewayProcess gateway) {
        servers = new DemoServers(gateway.knowledgeBasePort, gateway.slackPort, gateway.issuerPort,
                "http://127.0.0.1:" + gateway.port + "/mcp", new StubLlmProvider(vertx, 0), TestPorts.free());
        servers.start();
    }

    @Override
    public void close() {
        try {
            servers.stop();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS)
                    .join();
        }
    }
}
