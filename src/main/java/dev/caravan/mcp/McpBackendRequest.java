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
        JsonRpc.Message message = copy.getProperty(McpExchange.MESSAGE, JsonRpc.Message.class);
        MergedStream stream = copy.getProperty(McpExchange.STREAM, MergedStream.class);
        if (stream != null) {
            // a backend's GET stream, merged into the client's: open as long as both ends are
            prepare(copy, backend.name(), null, traces);
            String lastEventId = stream.lastEventId(backend.name());
            if (lastEventId != null) {
                copy.getMessage().setHeader("Last-Event-ID", lastEventId);
            }
            copy.getMessage().setHeader("Accept", "text/event-stream");
            copy.setProperty(McpExchange.RELAY, stream.relayFor(backend.name(), copy));
            copy.setProperty(McpExchange.LONG_LIVED, true);
            return;
        }
        prepare(copy, backend.name(), message == null ? null : JsonRpc.bytes(forBackend(message, backend.name(),
                copy.getProperty(McpExchange.CURSORS, Map.class))), traces);
        long deadline = System.currentTimeMillis() + fanOutTimeoutMillis;
        Long requestDeadline = copy.getProperty(McpExchange.DEADLINE, Long.class);
        copy.setProperty(McpExchange.DEADLINE, requestDeadline == null ? deadline : Math.min(deadline, requestDeadline));
    }

    /**
     * Sets the backend's own session id and protocol version, as the exchange's session holds them, on the exchange's
     * message (none outside a session, as for initialize).
     */
    static void sessionHeaders(Exchange exchange, String backend) {
        Message m = exchange.getMessage();
        m.removeHeader(McpSessionCheck.HEADER);
        McpSessions.Session session = exchange.getProperty(McpExchange.SESSION, McpSessions.Session.class);
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
    private static JsonNode forBackend(JsonRpc.Message message, String backend, Map<?, ?> cursors) {
        ObjectNode params = message.params();
        if (params == null || !params.has("cursor")) {
            return message.json();
        }
        ObjectNode copy = message.json().deepCopy();
        Object cursor = cursors == null ? null : cursors.get(backend);
        if (cursor == null) {
            ((ObjectNode) copy.get("params")).remove("cursor");
        } else {
            ((ObjectNode) copy.get("params")).put("cursor", cursor.toString());
        }
        return copy;
    }

    /** The headers of a backend request, all set by the gateway: nothing else on the message reaches a backend. */
    static final List<String> TRANSPORT_HEADERS = List.of("Accept", Exchange.CONTENT_TYPE, McpSessionCheck.HEADER,
            "MCP-Protocol-Version", "Last-Event-ID");

    /**
     * Sets the exchange's message to the request for {@code backend}. The HTTP method stays the client's (POST, or
     * DELETE to end a session); {@code body} is null for DELETE.
     */
    static void prepare(Exchange exchange, String backend, byte[] body, Traces traces) {
        Message m = exchange.getMessage();
        String method = m.getHeader(Exchange.HTTP_METHOD, "POST", String.class);
        m.getHeaders().clear();
        m.setHeader(Exchange.HTTP_METHOD, method);
        m.setHeader("Accept", "application/json, text/event-stream");
        if (body != null) {
            m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        }
        m.setBody(body);
        sessionHeaders(exchange, backend);
        exchange.setProperty(McpExchange.BACKEND, backend);
        if (!traces.on()) {
            return;
        }
        // the span of this backend call, named as OpenTelemetry's MCP conventions name a client's: "tools/call x"
        String rpc = exchange.getProperty(McpExchange.METHOD, "", String.class);
        String operation = rpc.isEmpty() ? "response" : rpc;
        String target = exchange.getProperty(McpExchange.TARGET, String.class);
        Map<String, Object> attributes = new HashMap<>();
        attributes.put("mcp.method.name", operation);
        attributes.put("caravan.backend", backend);
        if (target != null) {
            attributes.put(McpTelemetry.targetAttribute(rpc), target);
        }
        exchange.setProperty(McpExchange.SPAN_NAME, target == null ? operation : operation + " " + target);
        exchange.setProperty(McpExchange.SPAN_ATTRIBUTES, attributes);
    }
}
