package dev.caravan.llm;

import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Model aliases from the configuration ({@code caravan.llm.alias.<name> = <model>}): a client asks for
 * {@code claude-sonnet} and the provider gets {@code claude-sonnet-4-6@20260101}, in the Vertex path or in the body's
 * {@code model}, whichever the API uses. Metrics and logs show both.
 */
public final class LlmModels implements Processor {

    private final Map<String, String> aliases;

    public LlmModels(Map<String, String> aliases) {
        this.aliases = Map.copyOf(aliases);
    }

    @Override
    public void process(Exchange exchange) {
        LlmRequest request = LlmRequest.of(exchange);
        String target = request.model() == null ? null : aliases.get(request.model());
        if (target != null) {
            request.model(target);
        }
    }
}
