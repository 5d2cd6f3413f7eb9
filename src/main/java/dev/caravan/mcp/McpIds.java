package dev.caravan.mcp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * Identifiers that cross the gateway and must find their way back without any table, so that any replica can handle
 * the next request:
 * <ul>
 * <li>a backend's request to the client (sampling, elicitation, roots) gets the id {@code <backend>:<original id as
 * JSON>}; the client's answer carries it back, naming the backend and restoring the id it expects;</li>
 * <li>an SSE event id is the base64url JSON map {backend: that backend's last event id}, so one Last-Event-ID resumes
 * every backend stream it covers.</li>
 * </ul>
 */
final class McpIds {

    /** where a client's answer goes: the backend and the id that backend used */
    record Route(String backend, JsonNode id) {
    }

    private McpIds() {
    }

    static TextNode toClient(String backend, JsonNode backendId) {
        return TextNode.valueOf(backend + ":" + backendId.toString());
    }

    /** The backend and its own id for an id the gateway gave the client, or null when it is not one of those. */
    static Route fromClient(JsonNode clientId) {
        if (clientId == null || !clientId.isTextual()) {
            return null;
        }
        String text = clientId.asText();
        int colon = text.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        try {
            JsonNode original = JsonRpc.MAPPER.readTree(text.substring(colon + 1));
            return original != null && (original.isTextual() || original.isIntegralNumber())
                    ? new Route(text.substring(0, colon), original) : null;
        } catch (IOException e) {
            return null;
        }
    }

    static String eventId(Map<String, String> lastIds) {
        ObjectNode json = JsonRpc.object();
        lastIds.forEach(json::put);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(JsonRpc.bytes(json));
    }

    /** The per-backend event ids inside a Last-Event-ID the gateway issued; empty for anything else. */
    static Map<String, String> lastIds(String eventId) {
        Map<String, String> ids = new LinkedHashMap<>();
        if (eventId == null || eventId.isBlank()) {
            return ids;
        }
        try {
            JsonNode json = JsonRpc.MAPPER.readTree(new String(Base64.getUrlDecoder().decode(eventId.strip()),
                    StandardCharsets.UTF_8));
            if (json instanceof ObjectNode o) {
                o.fields().forEachRemaining(e -> {
                    if (e.getValue().isTextual()) {
                        ids.put(e.getKey(), e.getValue().asText());
                    }
                });
            }
        } catch (IOException | IllegalArgumentException e) {
            ids.clear();
        }
        return ids;
    }
}
