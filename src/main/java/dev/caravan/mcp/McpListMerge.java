package dev.caravan.mcp;

import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;

import dev.caravan.telemetry.GatewayMetrics;

/**
 * Merges the answers to {@code tools/list}, {@code prompts/list}, {@code resources/list} and
 * {@code resources/templates/list} into one list, each item qualified with its backend's name. When backends page
 * their lists, the merged page carries one gateway cursor holding each backend's next cursor.
 */
public final class McpListMerge extends FanOutMerge {

    private final McpSessions sessions;

    public McpListMerge(GatewayMetrics metrics, McpSessions sessions) {
        super(metrics);
        this.sessions = sessions;
    }

    /**
     * First step of a list request: a cursor from the client becomes each backend's own cursor
     * ({@link McpCall#cursors}), so only backends with more to list are asked again.
     */
    public void openCursor(Exchange exchange) {
        McpCall call = McpCall.of(exchange);
        JsonRpc.Message request = call.message();
        JsonNode cursor = request.params() == null ? null : request.params().get("cursor");
        if (cursor != null) {
            call.cursors(sessions.openCursor(cursor.asText(null), call.sessionId(), request.method(), request.id()));
        }
    }

    @Override
    void reply(Exchange target, Exchange original, List<BackendAnswer> answers) {
        McpCall call = McpCall.of(original);
        JsonRpc.Message request = call.message();
        McpMethod method = call.row();
        McpMethod.Item item = method.item();
        McpSessions.Session session = call.session();
        ObjectNode result = JsonRpc.object();
        ArrayNode merged = result.putArray(method.listKey());
        Map<String, String> next = new LinkedHashMap<>();
        for (BackendAnswer answer : answers) {
            if (!answer.ok()) {
                continue;
            }
            JsonNode nextCursor = answer.result().get("nextCursor");
            if (nextCursor != null && nextCursor.isTextual()) {
                next.put(answer.backend(), nextCursor.asText());
            }
            for (JsonNode listed : answer.result().path(method.listKey())) {
                if (session.qualified()) {
                    McpNames.qualifyField(listed, item.listField(), answer.backend(), item.separator());
                }
                merged.add(listed);
            }
        }
        if (!next.isEmpty()) {
            result.put("nextCursor", sessions.sealCursor(call.sessionId(), request.method(), next));
        }
        McpReply.json(target, 200, JsonRpc.result(request.id(), result));
    }
}
