package dev.caravan.llm;

import io.vertx.core.MultiMap;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import dev.caravan.core.RequestContext;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The LLM request is the exchange's typed context, its facts are what rules judge, and the router reads it. */
class LlmRequestTest {

    private static LlmRequest request(Exchange exchange, String org) {
        LlmRequest request = new LlmRequest(System.nanoTime());
        request.attach(exchange);
        request.api(new AnthropicMessages());
        request.org(org);
        request.validated("/v1/messages", "claude-sonnet-4-6", false, null, null, new byte[0], false,
                MultiMap.caseInsensitiveMultiMap(), Long.MAX_VALUE);
        return request;
    }

    @Test
    void theRequestContextAnswersTheLlmFactsTheProviderOnceTheRouterChoseIt() {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        LlmRequest request = request(exchange, "support");
        RequestContext context = RequestContext.of(exchange);
        assertSame(request, context);
        assertEquals("llm", context.kind());
        assertEquals("claude-sonnet-4-6", context.fact("llm.model"));
        assertEquals("support", context.fact("llm.org"));
        assertNull(context.fact("llm.provider"), "no provider before the router chose one");

        LlmRouteTo toAnthropic = new LlmRouteTo();
        toAnthropic.setProvider("anthropic");
        toAnthropic.process(exchange);
        assertEquals("anthropic", context.fact("llm.provider"));
        assertEquals("direct:anthropic", new LlmRoutedProvider().evaluate(exchange));
        assertNull(context.fact("mcp.method"));
    }

    @Test
    void theRoutersQuestionsReadTheContext() {
        DefaultCamelContext camel = new DefaultCamelContext();
        Exchange engineering = new DefaultExchange(camel);
        request(engineering, "engineering");
        Exchange none = new DefaultExchange(camel);
        request(none, null);

        LlmRequestIs anthropicApi = new LlmRequestIs();
        anthropicApi.setApi("anthropic");
        anthropicApi.init(camel);
        LlmRequestIs vertexApi = new LlmRequestIs();
        vertexApi.setApi("vertex");
        LlmRequestIs engineeringOrg = new LlmRequestIs();
        engineeringOrg.setOrg("engineering");
        LlmRequestIs noOrg = new LlmRequestIs();
        noOrg.setNoOrg(true);

        assertTrue(anthropicApi.matches(engineering));
        assertFalse(vertexApi.matches(engineering));
        assertTrue(engineeringOrg.matches(engineering));
        assertFalse(engineeringOrg.matches(none));
        assertTrue(noOrg.matches(none));
        assertFalse(noOrg.matches(engineering));
        // a bean that asks nothing, or two things at once, is a mistake of the route file
        assertThrows(IllegalArgumentException.class, () -> new LlmRequestIs().init(camel));
        engineeringOrg.setApi("vertex");
        assertThrows(IllegalArgumentException.class, () -> engineeringOrg.init(camel));
    }
}
