package dev.caravan.mcp;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.support.ExpressionAdapter;

/**
 * The endpoint of the backend route a request was routed to ({@link McpCallRouter}, {@link McpAnswerRouter}), for the
 * route's {@code toD: "language:ref:mcpRoutedBackend"}. An Endpoint, so toD sends to it without resolving a URI; a
 * Simple expression reading the context with OGNL costs microseconds per request, this a property lookup.
 */
public final class McpRoutedBackend extends ExpressionAdapter {

    @Override
    public Object evaluate(Exchange exchange) {
        Endpoint endpoint = McpCall.of(exchange).backendEndpoint();
        if (endpoint == null) {
            throw new IllegalStateException("no MCP backend was routed to");
        }
        return endpoint;
    }
}
