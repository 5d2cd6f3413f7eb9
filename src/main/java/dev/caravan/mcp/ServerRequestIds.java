package dev.caravan.mcp;

import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.apache.camel.Exchange;

/**
 * Re-keys the requests one backend sends the client while serving one exchange (sampling, elicitation, roots): each
 * gets a sealed id ({@link McpSessions#sealServerRequest}) that names the backend session the exchange uses when the
 * request arrives, which changes when {@link McpBackendCall} renews a session the backend lost.
 */
final class ServerRequestIds implements UnaryOperator<JsonNode> {

    private final McpSessions sessions;
    private final Exchange exchange;
    private final String backend;

    ServerRequestIds(McpSessions sessions, Exchange exchange, String backend) {
        this.sessions = sessions;
        this.exchange = exchange;
        this.backend = backend;
    }

    @Override
    public JsonNode apply(JsonNode backendId) {
        McpSessions.Session session = exchange.getProperty(McpExchange.SESSION, McpSessions.Session.class);
        McpSessions.Backend held = session.backends().get(backend);
        return TextNode.valueOf(sessions.sealServerRequest(exchange.getProperty(McpExchange.SESSION_ID, String.class),
                backend, held == null ? null : held.sessionId(), backendId));
    }
}
