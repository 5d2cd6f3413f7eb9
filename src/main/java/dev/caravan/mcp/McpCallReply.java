package dev.caravan.mcp;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;


/**
 * Answers the client after a routed call. A streamed answer was already relayed and needs nothing more; a captured one
 * is rewritten (resource URIs qualified) or, when the backend refused the call, turned into a JSON-RPC error with the
 * client's id that names the backend.
 */
public final class McpCallReply implements Processor {

    @Override
    public void process(Exchange exchange) {
        if (McpExchange.relayed(exchange)) {
            return;
        }
        JsonRpc.Message request = exchange.getProperty(McpExchange.MESSAGE, JsonRpc.Message.class);
        String backend = exchange.getProperty(McpExchange.BACKEND, String.class);
        Message answer = exchange.getMessage();
        int status = answer.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        ObjectNode message = parse(answer.getBody(byte[].class));
        McpSessions.Session session = exchange.getProperty(McpExchange.SESSION, McpSessions.Session.class);
        if (status == 200 && message != null && request.id().equals(message.get("id"))
                && (message.has("result") || message.has("error"))) {
            if (session.qualified()) {
                McpNames.qualifyResourceUris(backend, request.method(), message);
            }
            McpReply.json(exchange, 200, message);
            return;
        }
        if (message != null && message.path("error").isObject()) {
            ObjectNode error = JsonRpc.error(request.id(), message.path("error").path("code").asInt(JsonRpc.INTERNAL_ERROR),
                    backend + ": " + message.path("error").path("message").asText("error"));
            McpReply.json(exchange, 200, error);
            return;
        }
        McpReply.json(exchange, 200, JsonRpc.backendError(request.id(), backend,
                backend + ": answered HTTP " + status + (message == null ? " without a JSON-RPC message" : "")));
    }

    private static ObjectNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode node = JsonRpc.MAPPER.readTree(body);
            return node instanceof ObjectNode o ? o : null;
        } catch (IOException e) {
            return null;
        }
    }
}
