package dev.caravan.llm;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Anthropic Messages ({@code /v1/messages}): usage in {@code message_start} and the cumulative {@code message_delta}
 * of a stream, or the answer's {@code usage}; errors {@code {"type":"error","error":{"type":"...","message":"..."}}}.
 */
public class AnthropicMessages extends WireApi {

    public AnthropicMessages() {
        this("anthropic_messages", "anthropic");
    }

    /** Anthropic Messages spoken on another path, answered by another provider kind (Vertex AI). */
    protected AnthropicMessages(String id, String family) {
        super(id, "anthropic", family);
    }

    @Override
    public ObjectNode errorBody(int status, String message) {
        ObjectNode root = NODES.objectNode();
        root.put("type", "error");
        root.putObject("error").put("type", errorType(status)).put("message", message);
        return root;
    }

    @Override
    public String errorEvent(int status, String message) {
        return "event: error\ndata: " + errorBody(status, message) + "\n\n";
    }

    private static String errorType(int status) {
        return switch (status) {
            case 400, 405, 415 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 503, 529 -> "overloaded_error";
            default -> "api_error";
        };
    }

    @Override
    public Usage tokens(JsonNode usage, boolean complete) {
        long cacheWrite = usage.path("cache_creation_input_tokens").asLong();
        long cacheRead = usage.path("cache_read_input_tokens").asLong();
        return new Usage(usage.path("input_tokens").asLong() + cacheWrite + cacheRead, cacheRead, cacheWrite,
                usage.path("output_tokens").asLong(), complete);
    }

    @Override
    public StreamTap streamTap(boolean hideUsageChunk) {
        return new StreamTap() {
            private String startData;
            private String deltaData;
            private boolean finalSeen;

            @Override
            public boolean event(String type, String data) {
                if ("message_start".equals(type)) {
                    startData = data;
                } else if ("message_delta".equals(type)) {
                    deltaData = data;
                } else if ("message_stop".equals(type)) {
                    finalSeen = true;
                }
                return false;
            }

            @Override
            public boolean finalSeen() {
                return finalSeen;
            }

            @Override
            public JsonNode usage() throws IOException {
                ObjectNode merged = JSON.createObjectNode();
                JsonNode start = startData == null ? null : JSON.readTree(startData);
                if (start != null && start.path("message").path("usage").isObject()) {
                    merged.setAll((ObjectNode) start.path("message").path("usage"));
                }
                JsonNode delta = deltaData == null ? null : JSON.readTree(deltaData);
                if (delta != null) {
                    // message_delta counts are cumulative: they replace what message_start said
                    delta.path("usage").fields().forEachRemaining(f -> {
                        if (f.getValue().isNumber()) {
                            merged.set(f.getKey(), f.getValue());
                        }
                    });
                }
                return merged.isEmpty() ? null : merged;
            }
        };
    }
}
