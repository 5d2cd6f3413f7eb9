package dev.caravan.llm;

/**
 * Vertex AI, Anthropic models: {@code .../publishers/anthropic/models/{model}:rawPredict|streamRawPredict}. Speaks
 * Anthropic Messages; the provider's project, region and model go into the path.
 */
public class VertexAnthropic extends AnthropicMessages {

    private static final String COUNT_TOKENS = "count-tokens";

    public VertexAnthropic() {
        super("vertex_anthropic", "vertex");
    }

    @Override
    public String publisher() {
        return "anthropic";
    }

    /** Vertex AI counts Anthropic tokens at {@code .../anthropic/models/count-tokens:rawPredict}, model in the body. */
    @Override
    public String pathEndpoint(String pathModel, String action) {
        if (!pathModel.equals(COUNT_TOKENS)) {
            return null;
        }
        if (!action.equals("rawPredict")) {
            throw new LlmException(404, "Vertex AI counts Anthropic tokens with count-tokens:rawPredict only");
        }
        return COUNT_TOKENS;
    }
}
