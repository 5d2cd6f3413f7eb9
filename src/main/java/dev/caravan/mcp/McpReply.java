package dev.caravan.mcp;

import com.fasterxml.jackson.databind.JsonNode;
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
        if (error != null) {
            exchange.setProperty(McpTelemetry.ERROR_CODE, error.path("code").asInt());
            exchange.setProperty(McpTelemetry.ERROR_MESSAGE, error.path("message").asText());
        } else if (body.path("result").path("isError").asBoolean(false)) {
            exchange.setProperty(McpTelemetry.TOOL_ERROR, true);
        }
        Message m = start(exchange, status);
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setBody(ReplyBody.of(JsonRpc.bytes(body)));
    }

    static void empty(Exchange exchange, int status) {
        // not null, so the response says Content-Length: 0 instead of sending an empty chunked body
        start(exchange, status).setBody(ReplyBody.of(new byte[0]));
    }

    private static Message start(Exchange exchange, int status) {
        Message m = exchange.getMessage();
        m.getHeaders().clear();
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        String sessionId = exchange.getProperty(McpExchange.SESSION_ID, String.class);
        if (sessionId != null) {
            m.setHeader(McpSessionCheck.HEADER, sessionId);
        }
        return m;
    }
}
