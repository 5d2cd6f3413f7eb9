package dev.caravan.mcp;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;

import dev.caravan.telemetry.GatewayMetrics;

/**
 * Merges the answers to {@code tools/list}, {@code prompts/list}, {@code resources/list} and
 * {@code resources/templates/list} into one list, each item qualified with its backend's name.
 */
public final class McpListMerge extends FanOutMerge {

    public McpListMerge(GatewayMetrics metrics) {
        super(metrics);
    }

    /** Where a list method's items are, which field names them, and how that field is qualified. */
    private record Shape(String key, String field, char separator) {
    }

    private static final Map<String, Shape> SHAPES = Map.of(
            "tools/list", new Shape("tools", "name", McpNames.NAME_SEPARATOR),
            "prompts/list", new Shape("prompts", "name", McpNames.NAME_SEPARATOR),
            "resources/list", new Shape("resources", "uri", McpNames.URI_SEPARATOR),
            "resources/templates/list", new Shape("resourceTemplates", "uriTemplate", McpNames.URI_SEPARATOR));

    @Override
    void reply(Exchange target, Exchange original, List<BackendAnswer> answers) {
        JsonRpc.Message request = original.getProperty(McpExchange.MESSAGE, JsonRpc.Message.class);
        Shape shape = SHAPES.get(request.method());
        ObjectNode result = JsonRpc.object();
        ArrayNode merged = result.putArray(shape.key());
        for (BackendAnswer answer : answers) {
            if (!answer.ok()) {
                continue;
            }
            for (JsonNode item : answer.result().path(shape.key())) {
                McpNames.qualifyField(item, shape.field(), answer.backend(), shape.separator());
                merged.add(item);
            }
        }
        McpReply.json(target, 200, JsonRpc.result(request.id(), result));
    }
}
