package dev.caravan.mcp;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.caravan.proxy.UpstreamException;
import dev.caravan.telemetry.GatewayMetrics;
import dev.caravan.telemetry.Traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Which backends a fan-out goes to, as their routes and their health say. */
class McpBackendsTest {

    private final Vertx vertx = Vertx.vertx();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private CamelContext context;
    private McpBackends backends;

    @BeforeEach
    void start() throws Exception {
        context = new DefaultCamelContext();
        context.getRegistry().bind("meters", registry);
        GatewayMetrics metrics = new GatewayMetrics();
        metrics.setCamelContext(context);
        // probes only after an hour: this test looks at what fan-outs do meanwhile
        McpOutlierDetection detection = new McpOutlierDetection(context, vertx, metrics,
                Traces.setUp(context, "false", "", Map.of()), 1000, 3_600_000, 3_600_000);
        backends = new McpBackends();
        context.getManagementStrategy().addEventNotifier(backends);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                for (String name : List.of("kb", "slack")) {
                    // never called: this test reports the calls' outcomes to their health itself
                    from("direct:" + name).routeId(name).routeGroup(McpBackends.GROUP)
                            .process(new McpBackend(null, detection, name, "http://127.0.0.1:1/mcp", "1s", null, null));
                }
            }
        });
        context.start();
    }

    @AfterEach
    void stop() throws Exception {
        context.stop();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private List<String> initializeGoesTo() {
        Exchange initialize = new DefaultExchange(context);
        McpCall.arrived(0).read(JsonRpc.parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8))).attach(initialize);
        return backends.targets(initialize).stream().map(McpBackends.Backend::name).toList();
    }

    private void timedOut(String backend) {
        Exchange call = new DefaultExchange(context);
        call.setException(new UpstreamException(backend, UpstreamException.Kind.TIMEOUT, "no answer"));
        backends.byName(backend).health().observed(call);
    }

    private double leftOut(String backend) {
        var counter = registry.find("caravan.mcp.backend.failures").tags("backend", backend, "reason", "down")
                .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aDownBackendIsLeftOutUnlessEveryBackendIsDown() {
        assertEquals(List.of("kb", "slack"), initializeGoesTo());
        timedOut("slack");
        assertEquals(List.of("kb"), initializeGoesTo());
        assertEquals(1, leftOut("slack"));
        assertEquals(0, registry.get("caravan.mcp.backend.up").tag("backend", "slack").gauge().value());
        // with every backend down, leaving them all out would answer nothing: they are all asked
        timedOut("kb");
        assertEquals(List.of("kb", "slack"), initializeGoesTo());
        assertEquals(1, leftOut("slack"));
        // any answer brings a backend back
        backends.byName("kb").health().observed(new DefaultExchange(context));
        assertEquals(List.of("kb"), initializeGoesTo());
        assertEquals(1, registry.get("caravan.mcp.backend.up").tag("backend", "kb").gauge().value());
    }

    @Test
    void aRemovedBackendLeavesNothingBehind() throws Exception {
        timedOut("slack");
        assertEquals(0, registry.get("caravan.mcp.backend.up").tag("backend", "slack").gauge().value());
        context.getRouteController().stopRoute("slack");
        context.removeRoute("slack");
        assertNull(registry.find("caravan.mcp.backend.up").tag("backend", "slack").gauge());
        assertEquals(List.of("kb"), initializeGoesTo());
    }
}
