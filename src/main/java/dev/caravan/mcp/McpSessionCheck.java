package dev.caravan.mcp;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import dev.caravan.core.ClientRequest;

/** Opens the gateway session of a request after initialize: 400 without an id, 404 for one that is not valid. */
public final class McpSessionCheck implements Processor {

    public static final String HEADER = "Mcp-Session-Id";

    private final McpSessions sessions;

    public McpSessionCheck(McpSessions sessions) {
        this.sessions = sessions;
    }

    @Override
    public void process(Exchange exchange) {
        String id = ClientRequest.header(exchange, HEADER);
        if (id == null || id.isBlank()) {
            throw McpException.transport(400, "Bad Request: Mcp-Session-Id header is required");
        }
        McpCall call = McpCall.of(exchange);
        call.session(id.strip(), sessions.open(id.strip(), call.subject()));
    }
}
