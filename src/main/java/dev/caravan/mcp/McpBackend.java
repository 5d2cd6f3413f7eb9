package dev.caravan.mcp;

import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;

import dev.caravan.proxy.Upstream;

/**
 * One MCP backend, the last step of its route: built by kamelets/mcp-backend.kamelet.yaml from its parameters, once
 * per route (again when a reload replaces the route), and calling the backend through the shared
 * {@link McpBackendCall}.
 */
public final class McpBackend extends AsyncProcessorSupport {

    private final McpBackendCall call;
    private final Upstream upstream;

    public McpBackend(McpBackendCall call, String name, String url, String callTimeout, String idleTimeout,
                      String headers) {
        this.call = call;
        this.upstream = new Upstream(name, url, callTimeout, idleTimeout, headers);
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        return call.process(exchange, upstream, callback);
    }
}
