package dev.caravan.llm;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Error bodies in each provider's own format, so that an SDK reports a gateway refusal like a provider's. */
public final class LlmErrors {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private LlmErrors() {
    }

    /** A refusal on an LLM path in its API's format (null on other paths), for the HTTP layer's own refusals. */
    public static String edgeBody(String path, int status, String message) {
        LlmApi api = LlmApi.ofPath(path);
        return api == null ? null : body(api.errors(), status, message).toString();
    }

    /** A refusal in OpenAI's format, the most widely understood: the HTTP layer's default. */
    public static String openAiBody(String path, int status, String message) {
        return body(LlmApi.ErrorShape.OPENAI, status, message).toString();
    }

    public static ObjectNode body(LlmApi.ErrorShape shape, int status, String message) {
        ObjectNode root = NODES.objectNode();
        switch (shape) {
            case ANTHROPIC -> {
                root.put("type", "error");
                root.putObject("error").put("type", anthropicType(status)).put("message", message);
            }
            case OPENAI -> root.putObject("error").put("message", message).put("type", openAiType(status))
                    .putNull("param").put("code", status == 401 ? "invalid_api_key" : null);
            case GOOGLE -> root.putObject("error").put("code", status).put("message", message)
                    .put("status", googleStatus(status));
            default -> throw new IllegalArgumentException(shape.name());
        }
        return root;
    }

    /** The same error as one server-sent event, for a stream whose head already went out. */
    public static String event(LlmApi api, int status, String message) {
        String json = body(api.errors(), status, message).toString();
        return switch (api.usage()) {
            case ANTHROPIC -> "event: error\ndata: " + json + "\n\n";
            case OPENAI_RESPONSES -> "event: error\ndata: " + NODES.objectNode().put("type", "error")
                    .put("code", openAiType(status)).put("message", message).putNull("param") + "\n\n";
            default -> "data: " + json + "\n\n";
        };
    }

    private static String anthropicType(int status) {
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

    private static String openAiType(int status) {
        return switch (status) {
            case 400, 401, 404, 405, 413, 415 -> "invalid_request_error";
            case 403 -> "permission_error";
            case 429 -> "rate_limit_error";
            default -> "server_error";
        };
    }

    private static String googleStatus(int status) {
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
}
