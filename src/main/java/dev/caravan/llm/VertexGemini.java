package dev.caravan.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Vertex AI, Gemini models: {@code .../publishers/google/models/{model}:generateContent|streamGenerateContent}. Usage
 * in {@code usageMetadata} (of the last response of a streamed array); errors
 * {@code {"error":{"code":503,"message":"...","status":"UNAVAILABLE"}}}.
 */
public class VertexGemini extends WireApi {

    public VertexGemini() {
        super("vertex_gemini", "google", "vertex");
    }

    @Override
    public String operation() {
        return "generate_content";
    }

    @Override
    public String publisher() {
        return "google";
    }

    @Override
    public ObjectNode errorBody(int status, String message) {
        ObjectNode root = NODES.objectNode();
        root.putObject("error").put("code", status).put("message", message).put("status", errorStatus(status));
        return root;
    }

    private static String errorStatus(int status) {
        return switch (status) {
            case 400, 405, 413, 415 -> "INVALID_ARGUMENT";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 404 -> "NOT_FOUND";
            case 429 -> "RESOURCE_EXHAUSTED";
            case 502, 503 -> "UNAVAILABLE";
            case 504 -> "DEADLINE_EXCEEDED";
            default -> "INTERNAL";
        };
    }

    @Override
    public String usageField() {
        return "usageMetadata";
    }

    @Override
    public JsonNode answerUsage(JsonNode answer) {
        // streamGenerateContent without alt=sse answers one JSON array of responses; the last has the totals
        JsonNode last = answer != null && answer.isArray() && !answer.isEmpty() ? answer.get(answer.size() - 1)
                : answer;
        return super.answerUsage(last);
    }

    @Override
    public Usage tokens(JsonNode usage, boolean complete) {
        return new Usage(usage.path("promptTokenCount").asLong(), usage.path("cachedContentTokenCount").asLong(), 0,
                usage.path("candidatesTokenCount").asLong() + usage.path("thoughtsTokenCount").asLong(), complete);
    }

    @Override
    public StreamTap streamTap(boolean hideUsageChunk) {
        return new LatestEventTap() {
            @Override
            public boolean event(String type, String data) {
                if (data.contains("\"usageMetadata\"")) {
                    usageData = data;
                    finalSeen = data.contains("\"finishReason\"");
                }
                return false;
            }

            @Override
            public boolean endIsFinal() {
                return true;
            }
        };
    }
}
