package dev.caravan.mcp;

import org.apache.camel.Exchange;

/** What the gateway answers by itself, without asking a backend. */
public final class McpLocalReplies {

    /**
     * {@code ping} checks the gateway's own liveness, so it is answered here; a method {@link McpMethod} does not know
     * is not found.
     */
    public void reply(Exchange exchange) {
        McpCall call = McpCall.of(exchange);
        JsonRpc.Message request = call.message();
        if (call.row() != McpMethod.PING) {
            throw new McpException(200, JsonRpc.METHOD_NOT_FOUND, "Method not found: " + request.method(), request.id());
        }
        McpReply.json(exchange, 200, JsonRpc.result(request.id(), JsonRpc.object()));
    }
}
