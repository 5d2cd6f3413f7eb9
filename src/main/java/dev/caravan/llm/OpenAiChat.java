package dev.caravan.llm;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * OpenAI Chat Completions ({@code /v1/chat/completions}): usage in the answer's {@code usage} or a stream's usage chunk
 * (asked for with {@code stream_options.include_usage} when the client did not, and then kept from it); errors
 * {@code {"error":{"message":"...","type":"...","code":...}}}.
 */
public class OpenAiChat extends WireApi {

    public OpenAiChat() {
        this("openai_chat");
    }

    /** Another OpenAI API: the same vendor, errors and provider kind. */
    protected OpenAiChat(String id) {
        super(id, "openai", "openai");
    }

    @Override
    public ObjectNode errorBody(int status, String message) {
        ObjectNode root = NODES.objectNode();
        root.putObject("error").put("message", message).put("type", errorType(status)).putNull("param")
                .put("code", status == 401 ? "invalid_api_key" : null);
        return root;
    }

    protected static String errorType(int status) {
        return switch (status) {
            case 400, 401, 404, 405, 413, 415 -> "invalid_request_error";
            case 403 -> "permission_error";
            case 429 -> "rate_limit_error";
            default -> "server_error";
        };
    }

    @Override
    public boolean asksForUsage(LlmRequest request) {
        return request.stream() && !request.clientAskedForUsage();
    }

    @Override
    protected void askForUsage(ObjectNode body) {
        ObjectNode options = body.path("stream_options") instanceof ObjectNode o ? o : body.putObject("stream_options");
        options.put("include_usage", true);
    }

    @Override
    public Usage tokens(JsonNode usage, boolean complete) {
        return new Usage(usage.path("prompt_tokens").asLong(),
                usage.path("prompt_tokens_details").path("cached_tokens").asLong(), 0,
                usage.path("completion_tokens").asLong(), complete);
    }

    @Override
    public StreamTap streamTap(boolean hideUsageChunk) {
        return new LatestEventTap() {
            @Override
            public boolean event(String type, String data) {
                if (data.equals("[DONE]")) {
                    finalSeen = true;
                } else if (data.contains("\"usage\"") && !data.contains("\"usage\":null")) {
                    usageData = data;
                    return hideUsageChunk && usageOnly(data);
                }
                return false;
            }
        };
    }

    /** The chunk the gateway asked for: usage and no choices. */
    private static boolean usageOnly(String data) {
        try {
            return JSON.readTree(data).path("choices").isEmpty();
        } catch (IOException e) {
            return false;
        }
    }
}
