package dev.caravan.llm;

import org.apache.camel.Exchange;
import org.apache.camel.support.ExpressionAdapter;

/**
 * The route of the provider the router chose ({@link LlmRouteTo}), for the route's
 * {@code toD: "language:ref:llmRoutedProvider"}: read from the request's context, where a Simple expression reading
 * it would call its getter by reflection on every request.
 */
public final class LlmRoutedProvider extends ExpressionAdapter {

    @Override
    public Object evaluate(Exchange exchange) {
        String provider = LlmRequest.of(exchange).routedTo();
        if (provider == null) {
            throw new IllegalStateException("the LLM router chose no provider");
        }
        return "direct:" + provider;
    }
}
