package dev.caravan.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.caravan.auth.AuthFailure;
import dev.caravan.proxy.UpstreamException;
import dev.caravan.telemetry.GatewayMetrics;

/**
 * Turns any failure while handling an MCP request into a JSON-RPC error the client can read: the refusal's own status
 * and code, a backend failure as -32603 naming the backend, anything unexpected as a bare -32603 (details go to the
 * log, never to the client).
 */
public final class McpErrorReply implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(McpErrorReply.class);

    private final GatewayMetrics metrics;

    public McpErrorReply(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        McpCall call = McpCall.of(exchange);
        if (call != null && call.relayed()) {
            // the answer already went out as a stream; the relay ended it with an error event
            return;
        }
        JsonRpc.Message request = call == null ? null : call.message();
        var id = request == null ? null : request.id();
        if (failure instanceof AuthFailure e) {
            metrics.rejected("mcp", e.status());
            McpReply.json(exchange, e.status(), JsonRpc.error(id, JsonRpc.SERVER_ERROR, e.getMessage()));
            if (e.wwwAuthenticate() != null) {
                exchange.getMessage().setHeader("WWW-Authenticate", e.wwwAuthenticate());
            }
        } else if (failure instanceof McpException e) {
            if (e.httpStatus() >= 400) {
                metrics.rejected("mcp", e.httpStatus());
            }
            ObjectNode reply = JsonRpc.error(e.id() != null ? e.id() : id, e.code(), e.getMessage());
            if (e.data() != null) {
                ((ObjectNode) reply.get("error")).set("data", e.data());
            }
            McpReply.json(exchange, e.httpStatus(), reply);
        } else if (failure instanceof UpstreamException e && e.kind() == UpstreamException.Kind.CLIENT_GONE) {
            // nobody is left to answer, and the backend did nothing wrong
            LOG.debug("MCP client went away during {}", request == null ? "a request" : request.method());
        } else if (failure instanceof UpstreamException e) {
            LOG.warn("MCP call failed: {}", e.getMessage());
            metrics.backendFailure(e.upstream(), request == null ? "" : request.method(),
                    e.kind().name().toLowerCase());
            // how the gateway is configured (secret names, paths) is the operator's business, not the client's
            String message = e.kind() == UpstreamException.Kind.CONFIG
                    ? e.upstream() + ": backend is not configured correctly" : e.getMessage();
            McpReply.json(exchange, 200, JsonRpc.backendError(id, e.upstream(), message));
        } else {
            LOG.error("Unexpected failure handling MCP {}", request == null ? "request" : request.method(), failure);
            McpReply.json(exchange, 500, JsonRpc.error(id, JsonRpc.INTERNAL_ERROR, "Internal error"));
        }
    }
}
