package dev.caravan.mcp;

import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * Re-keys the requests one backend sends the client while serving one exchange (sampling, elicitation, roots): each
 * gets a sealed id ({@link McpSessions#sealServerRequest}) that names the backend session the request uses when the
 * backend's request arrives, which changes when {@link McpBackendCall} renews a session the backend lost.
 */
final class ServerRequestIds implements UnaryOperator<JsonNode> {

    private final McpSessions sessions;
    private final McpCall call;
    private final String backend;

    ServerRequestIds(McpSessions sessions, McpCall call, String backend) {
        this.sessions = sessions;
        this.call = call;
        this.backend = backend;
    }

    @Override
    public JsonNode apply(JsonNode backendId) {
        McpSessions.Backend held = call.session().backends().get(backend);
        return TextNode.valueOf(sessions.sealServerRequest(call.sessionId(),
                backend, held == null ? null : held.sessionId(), backendId));
    }
}
