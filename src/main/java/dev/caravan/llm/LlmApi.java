package dev.caravan.llm;

/**
 * The provider APIs the gateway speaks, recognized by the request path. Each fixes how the model and the stream flag
 * are found, how usage is reported, and what an error looks like to that API's SDKs.
 */
public enum LlmApi {
    /** Vertex AI, Anthropic models: {@code .../publishers/anthropic/models/{model}:rawPredict|streamRawPredict} */
    VERTEX_ANTHROPIC(UsageFormat.ANTHROPIC, ErrorShape.ANTHROPIC),
    /** Vertex AI, Gemini models: {@code .../publishers/google/models/{model}:generateContent|streamGenerateContent} */
    VERTEX_GEMINI(UsageFormat.GEMINI, ErrorShape.GOOGLE),
    /** Anthropic Messages: {@code /v1/messages} */
    ANTHROPIC_MESSAGES(UsageFormat.ANTHROPIC, ErrorShape.ANTHROPIC),
    /** OpenAI Chat Completions: {@code /v1/chat/completions} */
    OPENAI_CHAT(UsageFormat.OPENAI_CHAT, ErrorShape.OPENAI),
    /** OpenAI Responses: {@code /v1/responses} */
    OPENAI_RESPONSES(UsageFormat.OPENAI_RESPONSES, ErrorShape.OPENAI),
    /** OpenAI model list: {@code GET /v1/models} (no usage) */
    OPENAI_MODELS(UsageFormat.NONE, ErrorShape.OPENAI);

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

    LlmApi(UsageFormat usage, ErrorShape errors) {
        this.usage = usage;
        this.errors = errors;
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

    /** The route choice value: vertex, anthropic or openai. */
    public String family() {
        return switch (this) {
            case VERTEX_ANTHROPIC, VERTEX_GEMINI -> "vertex";
            case ANTHROPIC_MESSAGES -> "anthropic";
            default -> "openai";
        };
    }
}
