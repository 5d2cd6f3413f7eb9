package dev.caravan.mcp;

import java.util.List;

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

    @Override
    void reply(Exchange target, Exchange original, List<BackendAnswer> answers) {
        JsonRpc.Message request = original.getProperty(McpExchange.MESSAGE, JsonRpc.Message.class);
        if (!answers.isEmpty() && answers.stream().noneMatch(BackendAnswer::ok)) {
            noneAnswered(target, answers, request);
            return;
        }
        String key;
        String field;
        char separator;
        switch (request.method()) {
            case "tools/list" -> {
                key = "tools";
                field = "name";
                separator = McpNames.NAME_SEPARATOR;
            }
            case "prompts/list" -> {
                key = "prompts";
                field = "name";
                separator = McpNames.NAME_SEPARATOR;
            }
            case "resources/list" -> {
                key = "resources";
                field = "uri";
                separator = McpNames.URI_SEPARATOR;
            }
            case "resources/templates/list" -> {
                key = "resourceTemplates";
                field = "uriTemplate";
                separator = McpNames.URI_SEPARATOR;
            }
            default -> throw new IllegalArgumentException("not a list method: " + request.method());
        }
        ObjectNode result = JsonRpc.object();
        ArrayNode merged = result.putArray(key);
        for (BackendAnswer answer : answers) {
            if (!answer.ok()) {
                continue;
            }
            for (JsonNode item : answer.result().path(key)) {
                McpNames.qualifyField(item, field, answer.backend(), separator);
                merged.add(item);
            }
        }
        McpReply.json(target, 200, JsonRpc.result(request.id(), result));
    }
}
