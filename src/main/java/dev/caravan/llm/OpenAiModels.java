package dev.caravan.llm;

import com.fasterxml.jackson.databind.JsonNode;

/** OpenAI model list ({@code GET /v1/models}): no body, no usage. */
public class OpenAiModels extends OpenAiChat {

    public OpenAiModels() {
        super("openai_models");
    }

    @Override
    public String operation() {
        return "list_models";
    }

    @Override
    public boolean takesBody() {
        return false;
    }

    @Override
    public boolean asksForUsage(LlmRequest request) {
        return false;
    }

    @Override
    public String usageField() {
        return null;
    }

    @Override
    public JsonNode answerUsage(JsonNode answer) {
        return null;
    }

    @Override
    public StreamTap streamTap(boolean hideUsageChunk) {
        return new LatestEventTap() {
            @Override
            public boolean event(String type, String data) {
                return false;
            }
        };
    }
}
