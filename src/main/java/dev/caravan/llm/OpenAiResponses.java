package dev.caravan.llm;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * OpenAI Responses ({@code /v1/responses}): usage in the answer's {@code usage}, or in the {@code response} of the
 * stream's final event (completed, incomplete or failed); stream errors are {@code error} events of their own shape.
 */
public class OpenAiResponses extends OpenAiChat {

    public OpenAiResponses() {
        super("openai_responses");
    }

    @Override
    public boolean asksForUsage(LlmRequest request) {
        return false;
    }

    @Override
    public String errorEvent(int status, String message) {
        return "event: error\ndata: " + NODES.objectNode().put("type", "error").put("code", errorType(status))
                .put("message", message).putNull("param") + "\n\n";
    }

    @Override
    public Usage tokens(JsonNode usage, boolean complete) {
        return new Usage(usage.path("input_tokens").asLong(),
                usage.path("input_tokens_details").path("cached_tokens").asLong(), 0,
                usage.path("output_tokens").asLong(), complete);
    }

    @Override
    public StreamTap streamTap(boolean hideUsageChunk) {
        return new LatestEventTap() {
            @Override
            public boolean event(String type, String data) {
                if ("response.completed".equals(type) || "response.incomplete".equals(type)
                    || "response.failed".equals(type)) {
                    usageData = data; // the final count, whichever way the response ended
                    finalSeen = true;
                }
                return false;
            }

            @Override
            protected JsonNode eventUsage(JsonNode event) {
                return answerUsage(event.get("response"));
            }
        };
    }
}
