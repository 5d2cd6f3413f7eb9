package dev.caravan.mcp;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.Message;
import org.apache.camel.Processor;

import dev.caravan.telemetry.Traces;

/**
 * Turns the client's request into the request one backend gets: the client's JSON-RPC message (as rewritten for that
 * backend), the backend's own session id and protocol version, and nothing else of the client's headers. Used as the
 * {@code onPrepare} of every fan-out, where it finds the backend from the endpoint the copy is sent to.
 */
public final class McpBackendRequest implements Processor {

    private final McpBackends backends;
    private final long fanOutTimeoutMillis;
    private final Traces traces;

    /**
     * @param fanOutTimeoutMillis how long a fan-out waits for each backend; a slower one is left out of the answer
     */
    public McpBackendRequest(McpBackends backends, long fanOutTimeoutMillis, Traces traces) {
        this.backends = backends;
        this.fanOutTimeoutMillis = fanOutTimeoutMillis;
        this.traces = traces;
    }

    @Override
    public void process(Exchange copy) {
        McpBackends.Backend backend = backends.byEndpointUri(copy.getProperty(ExchangePropertyKey.TO_ENDPOINT,
                String.class));
        if (backend == null) {
            throw new IllegalStateException("fan-out to an endpoint that is not an MCP backend");
        }
        McpCall call = McpCall.of(copy).forBackend(backend.name());
        call.attach(copy);
        JsonRpc.Message message = call.message();
        MergedStream stream = call.stream();
        if (stream != null) {
            // a backend's GET stream, or a listen of its own for a backend of MCP 2026-07-28, merged into the
            // client's: open as long as both ends are
            McpSessions.Session session = call.session();
            boolean listens = ModernBackend.speaks(session.backends().get(backend.name()));
            copy.getMessage().setHeader(Exchange.HTTP_METHOD, listens ? "POST" : "GET");
            prepare(copy, backend.name(), listens ? stream.listen().forBackend(message, backend.name(),
                    session.qualified()) : null, traces);
            String lastEventId = stream.lastEventId(backend.name());
            if (lastEventId != null) {
                copy.getMessage().setHeader("Last-Event-ID", lastEventId);
            }
            copy.getMessage().setHeader("Accept", "text/event-stream");
            call.relay(stream.relayFor(backend.name(), call));
            call.longLived(true);
            return;
        }
        prepare(copy, backend.name(), message == null ? null : forBackend(message, backend.name(), call.cursors()),
                traces);
        long deadline = System.currentTimeMillis() + fanOutTimeoutMillis;
        long requestDeadline = call.deadline();
        call.deadline(requestDeadline == 0 ? deadline : Math.min(deadline, requestDeadline));
    }

    /**
     * Sets the backend's own session id and protocol version, as the session of the exchange's context holds them, on
     * the exchange's message (none outside a session, as for initialize).
     */
    static void sessionHeaders(Exchange exchange, String backend) {
        Message m = exchange.getMessage();
        m.removeHeader(McpSessionCheck.HEADER);
        McpSessions.Session session = McpCall.of(exchange).session();
        if (session != null) {
            McpSessions.Backend held = session.backends().get(backend);
            if (held != null && held.sessionId() != null) {
                m.setHeader(McpSessionCheck.HEADER, held.sessionId());
            }
            m.setHeader("MCP-Protocol-Version", held != null && held.protocolVersion() != null
                    ? held.protocolVersion() : session.protocolVersion());
        }
    }

    /** The client's message as one backend gets it: a list request carries that backend's own cursor, or none. */
    private static JsonNode forBackend(JsonRpc.Message message, String backend, Map<String, String> cursors) {
        ObjectNode params = message.params();
        if (params == null || !params.has("cursor")) {
            return message.json();
        }
        ObjectNode copy = message.json().deepCopy();
        String cursor = cursors == null ? null : cursors.get(backend);
        if (cursor == null) {
            ((ObjectNode) copy.get("params")).remove("cursor");
        } else {
            ((ObjectNode) copy.get("params")).put("cursor", cursor);
        }
        return copy;
    }

    /** The headers of a backend request, all set by the gateway: nothing else on the message reaches a backend. */
    static final List<String> TRANSPORT_HEADERS = List.of("Accept", Exchange.CONTENT_TYPE, McpSessionCheck.HEADER,
            "MCP-Protocol-Version", "Last-Event-ID", "Mcp-Method", "Mcp-Name");

    /**
     * Sets the exchange's message to the request for {@code backend}, whose context names that backend. The HTTP method
     * stays the client's (POST, or DELETE to end a session); {@code message} is null for DELETE and GET. A backend of
     * MCP 2026-07-28 gets the request in its generation's terms ({@link ModernBackend}).
     */
    static void prepare(Exchange exchange, String backend, JsonNode message, Traces traces) {
        Message m = exchange.getMessage();
        String method = m.getHeader(Exchange.HTTP_METHOD, "POST", String.class);
        m.getHeaders().clear();
        m.setHeader(Exchange.HTTP_METHOD, method);
        m.setHeader("Accept", "application/json, text/event-stream");
        McpCall call = McpCall.of(exchange);
        McpSessions.Session session = call.session();
        JsonNode body = message;
        if (message != null && message.has("method") && message.has("id") && session != null
                && ModernBackend.speaks(session.backends().get(backend))) {
            body = ModernBackend.request(message, call);
            ModernBackend.standardHeaders(m, message.get("method").asText(), body.get("params"));
        }
        if (body != null) {
            m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        }
        m.setBody(body == null ? null : JsonRpc.bytes(body));
        sessionHeaders(exchange, backend);
        call.backend(backend);
        if (!traces.on()) {
            return;
        }
        // the span of this backend call, named as OpenTelemetry's MCP conventions name a client's: "tools/call x"
        String rpc = call.method();
        String operation = rpc.isEmpty() ? "response" : rpc;
        String target = call.target();
        Map<String, Object> attributes = new HashMap<>();
        attributes.put("mcp.method.name", operation);
        attributes.put("caravan.backend", backend);
        if (target != null) {
            attributes.put(McpTelemetry.targetAttribute(rpc), target);
        }
        call.span(target == null ? operation : operation + " " + target, attributes);
    }
}
