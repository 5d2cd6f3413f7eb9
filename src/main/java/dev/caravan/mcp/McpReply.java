package dev.caravan.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import dev.caravan.core.ReplyBody;

/**
 * Writes what the client gets back into the exchange, as a {@link ReplyBody}. It starts from no headers at all, so nothing of the client's
 * request, of a backend's answer or of Camel's internals leaks into the response.
 */
final class McpReply {

    private McpReply() {
    }

    static void json(Exchange exchange, int status, JsonNode body) {
        JsonNode error = body.get("error");
        McpCall call = McpCall.of(exchange);
        if (call != null && error != null) {
            call.error(error.path("code").asInt(), error.path("message").asText());
        } else if (call != null && body.path("result").path("isError").asBoolean(false)) {
            call.toolError(true);
        }
        if (call != null && call.modern() != null && body.get("result") instanceof ObjectNode result) {
            ModernRequest.complete(call.row(), result);
        }
        jsonBytes(exchange, status, JsonRpc.bytes(body));
    }

    /** A backend's JSON-RPC response passed on as it sent it, which {@code summary} says what it holds. */
    static void passOn(Exchange exchange, byte[] response, JsonRpc.ResponseSummary summary) {
        McpCall call = McpCall.of(exchange);
        if (summary.hasError()) {
            call.error(summary.errorCode(), summary.errorMessage());
        } else if (summary.toolError()) {
            call.toolError(true);
        }
        jsonBytes(exchange, 200, response);
    }

    private static void jsonBytes(Exchange exchange, int status, byte[] body) {
        Message m = start(exchange, status);
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setBody(ReplyBody.of(body));
    }

    static void empty(Exchange exchange, int status) {
        // not null, so the response says Content-Length: 0 instead of sending an empty chunked body
        start(exchange, status).setBody(ReplyBody.of(new byte[0]));
    }

    private static Message start(Exchange exchange, int status) {
        Message m = exchange.getMessage();
        m.getHeaders().clear();
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        McpCall call = McpCall.of(exchange);
        String sessionId = call == null ? null : call.clientSessionId();
        if (sessionId != null) {
            m.setHeader(McpSessionCheck.HEADER, sessionId);
        }
        return m;
    }
}
