package dev.caravan.mcp;

import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.spi.RouteIdAware;
import org.apache.camel.support.AsyncProcessorSupport;

import dev.caravan.proxy.Upstream;

/**
 * One MCP backend, the last step of its route: built by kamelets/mcp-backend.kamelet.yaml from its parameters, once
 * per route (again when a reload replaces the route), and calling the backend through the shared
 * {@link McpBackendCall}. It owns its {@link Upstream} (URL, timeouts, headers) and its {@link McpBackendHealth},
 * which lives as long as its route runs.
 */
public final class McpBackend extends AsyncProcessorSupport implements RouteIdAware {

    private final McpBackendCall call;
    private final Upstream upstream;
    private final McpBackendHealth health;
    private String routeId;
    /** learned when the backend refused initialize as one that speaks only MCP 2026-07-28 */
    private volatile boolean modern;

    public McpBackend(McpBackendCall call, McpOutlierDetection detection, String name, String url,
                      String callTimeout, String idleTimeout, String headers) {
        this.call = call;
        this.upstream = new Upstream(name, url, callTimeout, idleTimeout, headers);
        this.health = new McpBackendHealth(detection);
    }

    Upstream upstream() {
        return upstream;
    }

    McpBackendHealth health() {
        return health;
    }

    boolean modern() {
        return modern;
    }

    void modern(boolean modern) {
        this.modern = modern;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        return call.process(exchange, this, callback);
    }

    @Override
    protected void doStart() {
        health.start(routeId);
    }

    @Override
    protected void doStop() {
        health.stop();
    }

    @Override
    public String getRouteId() {
        return routeId;
    }

    @Override
    public void setRouteId(String routeId) {
        this.routeId = routeId;
    }
}
