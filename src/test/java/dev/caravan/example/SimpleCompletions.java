package dev.caravan.example;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.caravan.llm.Usage;
import dev.caravan.llm.WireApi;

/**
 * A made-up wire API, the whole of a new provider type: {@code POST /v1/complete} with {@code {"model", "prompt",
 * "stream"}}; the answer {@code {"text":"...","usage":{"in":3,"out":5}}}, or a stream of {@code data: {"text":...}}
 * events ending with {@code event: end} whose data has the usage; errors {@code {"error":{"status":N,"message":...}}}.
 * Registered with {@code caravan.llm.apis} and {@code caravan.llm.api-paths}; answered by the openai provider kind.
 */
public class SimpleCompletions extends WireApi {

    public SimpleCompletions() {
        super("simple_complete", "openai", "openai");
    }

    @Override
    public String operation() {
        return "text_completion";
    }

    @Override
    public ObjectNode errorBody(int status, String message) {
        ObjectNode root = NODES.objectNode();
        root.putObject("error").put("status", status).put("message", message);
        return root;
    }

    @Override
    public String errorEvent(int status, String message) {
        return "event: error\ndata: " + errorBody(status, message) + "\n\n";
    }

    @Override
    public Usage tokens(JsonNode usage, boolean complete) {
        return new Usage(usage.path("in").asLong(), 0, 0, usage.path("out").asLong(), complete);
    }

    @Override
    public StreamTap streamTap(boolean hideUsageChunk) {
        return new LatestEventTap() {
            @Override
            public boolean event(String type, String data) {
                if ("end".equals(type)) {
                    usageData = data;
                    finalSeen = true;
                }
                return false;
            }
        };
    }
}
