package dev.caravan.llm;

import io.vertx.core.MultiMap;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import dev.caravan.core.RequestContext;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The LLM request is the exchange's typed context, and its facts are what rules judge. */
class LlmRequestTest {

    @Test
    void theRequestContextAnswersTheLlmFactsTheProviderOnceTheRouterChoseIt() {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        LlmRequest request = new LlmRequest(System.nanoTime(), LlmApi.ANTHROPIC_MESSAGES, "/v1/messages",
                "claude-sonnet-4-6", false, "support", null, null, new byte[0], false, MultiMap.caseInsensitiveMultiMap(),
                Long.MAX_VALUE);
        request.attach(exchange);
        RequestContext context = RequestContext.of(exchange);
        assertSame(request, context);
        assertEquals("llm", context.kind());
        assertEquals("claude-sonnet-4-6", context.fact("llm.model"));
        assertEquals("support", context.fact("llm.org"));
        assertNull(context.fact("llm.provider"), "no provider before the router chose one");

        exchange.setProperty(LlmExchange.PROVIDER, "anthropic");
        new LlmChosenProvider().process(exchange);
        assertEquals("anthropic", context.fact("llm.provider"));
        assertNull(context.fact("mcp.method"));
    }
}
