package dev.caravan.mcp;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.Message;
import org.apache.camel.Processor;

import dev.caravan.proxy.UpstreamCall;

/**
 * Turns the client's request into the request one backend gets: the client's JSON-RPC message (as rewritten for that
 * backend), the backend's own session id and protocol version, and nothing else of the client's headers. Used as the
 * {@code onPrepare} of every fan-out, where it finds the backend from the endpoint the copy is sent to.
 */
public final class McpBackendRequest implements Processor {

    private final McpBackends backends;
    private final long fanOutTimeoutMillis;

    /**
     * @param fanOutTimeoutMillis how long a fan-out waits for each backend; a slower one is left out of the answer
     */
    public McpBackendRequest(McpBackends backends, long fanOutTimeoutMillis) {
        this.backends = backends;
        this.fanOutTimeoutMillis = fanOutTimeoutMillis;
    }

    @Override
    public void process(Exchange copy) {
        McpBackends.Backend backend = backends.byEndpointUri(copy.getProperty(ExchangePropertyKey.TO_ENDPOINT,
                String.class));
        if (backend == null) {
            throw new IllegalStateException("fan-out to an endpoint that is not an MCP backend");
        }
        JsonRpc.Message message = copy.getProperty(McpExchange.MESSAGE, JsonRpc.Message.class);
        prepare(copy, backend.name(), message == null ? null : JsonRpc.bytes(message.json()));
        long deadline = System.currentTimeMillis() + fanOutTimeoutMillis;
        Long requestDeadline = copy.getProperty(UpstreamCall.DEADLINE, Long.class);
        copy.setProperty(UpstreamCall.DEADLINE, requestDeadline == null ? deadline : Math.min(deadline, requestDeadline));
    }

    /**
     * Sets the exchange's message to the request for {@code backend}. The HTTP method stays the client's (POST, or
     * DELETE to end a session); {@code body} is null for DELETE.
     */
    static void prepare(Exchange exchange, String backend, byte[] body) {
        Message m = exchange.getMessage();
        String method = m.getHeader(Exchange.HTTP_METHOD, "POST", String.class);
        m.getHeaders().clear();
        m.setHeader(Exchange.HTTP_METHOD, method);
        m.setHeader("Accept", "application/json, text/event-stream");
        if (body != null) {
            m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        }
        m.setBody(body);
        McpSessions.Session session = exchange.getProperty(McpExchange.SESSION, McpSessions.Session.class);
        if (session != null) {
            McpSessions.Backend held = session.backends().get(backend);
            if (held != null && held.sessionId() != null) {
                m.setHeader(McpSessionCheck.HEADER, held.sessionId());
            }
            m.setHeader("MCP-Protocol-Version", held != null && held.protocolVersion() != null
                    ? held.protocolVersion() : session.protocolVersion());
        }
        exchange.setProperty(McpExchange.BACKEND, backend);
        exchange.setProperty(UpstreamCall.NAME, backend);
    }
}
