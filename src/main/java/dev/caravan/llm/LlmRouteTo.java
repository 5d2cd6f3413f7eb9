package dev.caravan.llm;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The answer of the content-based router of routes/llm.camel.yaml, a route step ({@code process: {ref: toAnthropic}}):
 * the request goes to this provider. It becomes the request's fact {@code llm.provider}, which the access rule after
 * the router may judge, and {@link LlmRoutedProvider} sends the request to the provider's route.
 */
public final class LlmRouteTo implements Processor {

    private String provider;

    @Override
    public void process(Exchange exchange) {
        LlmRequest.of(exchange).routedTo(provider);
    }

    /** The provider's name, as its block in llm-providers.camel.yaml declares it (and so its route). */
    public void setProvider(String provider) {
        this.provider = provider;
    }
}
