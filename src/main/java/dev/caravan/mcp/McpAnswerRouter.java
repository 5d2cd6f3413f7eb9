package dev.caravan.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import dev.caravan.telemetry.Traces;

/**
 * Routes the client's answer to a backend's request (sampling, elicitation, roots) back to that backend: the sealed id
 * the gateway gave the request ({@link McpSessions#sealServerRequest}) names the backend, the backend session that
 * asked and the id the backend expects. An answer with any other id, or with an id from another session, is refused
 * with 400 and reaches no backend.
 */
public final class McpAnswerRouter implements Processor {

    private final McpBackends backends;
    private final McpSessions sessions;
    private final Traces traces;
    /** the rounds of questions the gateway asks for a backend of MCP 2026-07-28 */
    final InputBridge bridge;

    public McpAnswerRouter(McpBackends backends, McpSessions sessions, Traces traces, InputBridge bridge) {
        this.backends = backends;
        this.sessions = sessions;
        this.traces = traces;
        this.bridge = bridge;
    }

    @Override
    public void process(Exchange exchange) {
        McpCall call = McpCall.of(exchange);
        JsonRpc.Message answer = call.message();
        McpSessions.ServerRequest route = sessions.openServerRequest(answer.id(), call.sessionId());
        McpSessions.Session session = call.session();
        McpBackends.Backend backend = route == null ? null : backends.byName(route.backend());
        if (backend == null || !session.backends().containsKey(backend.name())) {
            throw McpException.transport(400, "Bad Request: a response to a request this gateway did not send");
        }
        // to the backend session that asked, even if this replica has renewed it since
        McpSessions.Backend held = session.backends().get(backend.name());
        if (ModernBackend.speaks(held) && !bridge.answered(route.id().asText(), answer)) {
            // the gateway asked it, for a backend of MCP 2026-07-28 (InputBridge); the backend itself is not told
            throw McpException.transport(400, "Bad Request: no question of this gateway waits for this response "
                                              + "(answered already, too late, or asked by another replica)");
        }
        call.session(session.with(backend.name(),
                new McpSessions.Backend(route.backendSession(), held.protocolVersion(), held.capabilities())));
        call.routeTo(backend);
        ObjectNode forwarded = answer.json().deepCopy();
        forwarded.set("id", route.id());
        McpBackendRequest.prepare(exchange, backend.name(), forwarded, traces);
    }

    /** After the backend took the answer: 202 for the client, or 502 naming the backend that refused it. */
    public void accepted(Exchange exchange) {
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        if (status < 200 || status >= 300) {
            throw McpException.transport(502, "Backend " + McpCall.of(exchange).backend()
                                              + " did not accept the response (HTTP " + status + ")");
        }
        McpReply.empty(exchange, 202);
    }
}
