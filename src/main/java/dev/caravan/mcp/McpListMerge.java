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
    private final ToolParamHeaders toolHeaders;
    private final long maxTtlMillis;

    /**
     * @param maxTtlMillis the longest a 2026-07-28 client is told it may keep a list ({@code ttlMs})
     */
    public McpListMerge(GatewayMetrics metrics, McpSessions sessions, ToolParamHeaders toolHeaders,
                        long maxTtlMillis) {
        super(metrics);
        this.sessions = sessions;
        this.toolHeaders = toolHeaders;
        this.maxTtlMillis = maxTtlMillis;
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
            if (method == McpMethod.TOOLS_LIST) {
                toolHeaders.learn(answer.backend(), answer.result().path("tools"));
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
        if (call.modern() != null) {
            cacheHints(result, answers);
        }
        McpReply.json(target, 200, JsonRpc.result(request.id(), result));
    }

    /**
     * How long and by whom a 2026-07-28 client may keep the merged list: as long as the backend that allows the
     * least (one of the older generation gives no hint, so 0), no longer than configured, and not at all when a backend
     * is missing from it; shared ({@code public}) only when every backend said so (access rules may still make it
     * private: {@link McpAccessPolicy}).
     */
    private void cacheHints(ObjectNode result, List<BackendAnswer> answers) {
        long ttl = maxTtlMillis;
        boolean shared = true;
        for (BackendAnswer answer : answers) {
            JsonNode given = answer.ok() ? answer.result().get("ttlMs") : null;
            ttl = Math.min(ttl, given != null && given.canConvertToLong() && given.asLong() > 0 ? given.asLong() : 0);
            shared &= answer.ok() && "public".equals(answer.result().path("cacheScope").asText());
        }
        result.put("ttlMs", ttl);
        result.put("cacheScope", shared ? "public" : "private");
    }
}
