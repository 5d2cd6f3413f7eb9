package dev.caravan.llm;

/**
 * The provider APIs the gateway speaks, recognized by the request path. Each fixes how the model and the stream flag
 * are found, how usage is reported, and what an error looks like to that API's SDKs.
 */
public enum LlmApi {
    /** Vertex AI, Anthropic models: {@code .../publishers/anthropic/models/{model}:rawPredict|streamRawPredict} */
    VERTEX_ANTHROPIC(UsageFormat.ANTHROPIC, ErrorShape.ANTHROPIC, null),
    /** Vertex AI, Gemini models: {@code .../publishers/google/models/{model}:generateContent|streamGenerateContent} */
    VERTEX_GEMINI(UsageFormat.GEMINI, ErrorShape.GOOGLE, null),
    /** Anthropic Messages: {@code /v1/messages} */
    ANTHROPIC_MESSAGES(UsageFormat.ANTHROPIC, ErrorShape.ANTHROPIC, "/v1/messages"),
    /** OpenAI Chat Completions: {@code /v1/chat/completions} */
    OPENAI_CHAT(UsageFormat.OPENAI_CHAT, ErrorShape.OPENAI, "/v1/chat/completions"),
    /** OpenAI Responses: {@code /v1/responses} */
    OPENAI_RESPONSES(UsageFormat.OPENAI_RESPONSES, ErrorShape.OPENAI, "/v1/responses"),
    /** OpenAI model list: {@code GET /v1/models} (no usage) */
    OPENAI_MODELS(UsageFormat.NONE, ErrorShape.OPENAI, "/v1/models");

    /** Where an answer reports its token usage. */
    public enum UsageFormat {
        ANTHROPIC, GEMINI, OPENAI_CHAT, OPENAI_RESPONSES, NONE
    }

    /** How errors look to the API's clients. */
    public enum ErrorShape {
        /** {@code {"type":"error","error":{"type":"...","message":"..."}}} */
        ANTHROPIC,
        /** {@code {"error":{"message":"...","type":"...","code":...}}} */
        OPENAI,
        /** {@code {"error":{"code":503,"message":"...","status":"UNAVAILABLE"}}} */
        GOOGLE
    }

    private final UsageFormat usage;
    private final ErrorShape errors;
    private final String path;

    LlmApi(UsageFormat usage, ErrorShape errors, String path) {
        this.usage = usage;
        this.errors = errors;
        this.path = path;
    }

    public UsageFormat usage() {
        return usage;
    }

    public ErrorShape errors() {
        return errors;
    }

    public boolean vertex() {
        return this == VERTEX_ANTHROPIC || this == VERTEX_GEMINI;
    }

    /** gen_ai.operation.name in OpenTelemetry's GenAI conventions. */
    public String operation() {
        return switch (this) {
            case VERTEX_GEMINI -> "generate_content";
            case OPENAI_MODELS -> "list_models";
            default -> "chat";
        };
    }

    /** Whose API it is, as its SDKs know it: anthropic, google or openai (what the client may send differs). */
    public String vendor() {
        return switch (this) {
            case VERTEX_ANTHROPIC, ANTHROPIC_MESSAGES -> "anthropic";
            case VERTEX_GEMINI -> "google";
            default -> "openai";
        };
    }

    /**
     * The API a request path belongs to, from the path alone (for refusals made before, or instead of, understanding
     * the request): Vertex AI paths by their publisher, the others by their prefix, sub-paths included
     * ({@code /v1/messages/batches} is the Anthropic API's). Null for a path of no LLM API.
     */
    public static LlmApi ofPath(String path) {
        if (path.startsWith("/v1/projects/") || path.startsWith("/v1beta1/projects/")) {
            return path.contains("/publishers/anthropic/") ? VERTEX_ANTHROPIC : VERTEX_GEMINI;
        }
        for (LlmApi api : values()) {
            if (api.path != null && (path.equals(api.path) || path.startsWith(api.path + "/"))) {
                return api;
            }
        }
        return null;
    }

    /** The one path of an API that is not Vertex AI's, e.g. {@code /v1/messages}; null for Vertex AI. */
    public String path() {
        return path;
    }

    /** The route choice value: vertex, anthropic or openai. */
    public String family() {
        return switch (this) {
            case VERTEX_ANTHROPIC, VERTEX_GEMINI -> "vertex";
            case ANTHROPIC_MESSAGES -> "anthropic";
            default -> "openai";
        };
    }
}
