package dev.caravan.llm;

/**
 * Vertex AI, Anthropic models: {@code .../publishers/anthropic/models/{model}:rawPredict|streamRawPredict}. Speaks
 * Anthropic Messages; the provider's project, region and model go into the path.
 */
public class VertexAnthropic extends AnthropicMessages {

    @Override
    public String id() {
        return "vertex_anthropic";
    }

    @Override
    public String family() {
        return "vertex";
    }

    @Override
    public String publisher() {
        return "anthropic";
    }

    @Override
    public boolean modelInBody(LlmRequest request) {
        return VertexPaths.modelInBody(request);
    }

    @Override
    public String providerPath(LlmProvider provider, LlmRequest request, String model) {
        return VertexPaths.of(provider, request, model);
    }
}
