package dev.caravan.llm;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * A route step after the content-based router: the provider it chose ({@code llmProvider}, a constant of the route
 * file, never a client's value) becomes a fact of the request ({@code llm.provider}), so that the policy after it
 * can judge the provider.
 */
public final class LlmChosenProvider implements Processor {

    @Override
    public void process(Exchange exchange) {
        LlmRequest request = LlmRequest.of(exchange);
        if (request != null) {
            request.routedTo(exchange.getProperty(LlmExchange.PROVIDER, String.class));
        }
    }
}
