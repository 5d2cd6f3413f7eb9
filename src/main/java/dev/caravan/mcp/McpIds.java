package dev.caravan.mcp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * SSE event ids of a client stream that merges several backends' streams: the base64url JSON map {backend: that
 * backend's last event id}, so one Last-Event-ID resumes every backend stream it covers, on any replica. (Ids of the
 * backends' requests to the client are sealed instead: {@link McpSessions#sealServerRequest}.)
 */
final class McpIds {

    private McpIds() {
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
