package dev.caravan.auth;

import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import dev.caravan.core.Caller;
import dev.caravan.core.RequestContext;
import dev.caravan.support.FactsContext;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the request's typed context knows, and who its caller is, reach the rules as facts. */
class RequestFactsTest {

    @Test
    void llmAndMcpFactsComeFromTheRequestContextAndClaimsFromItsCaller() {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        FactsContext context = new FactsContext(Map.of("llm.model", "claude-opus-4-7@20260301", "llm.org", "support",
                "mcp.method", "tools/call"));
        context.attach(exchange);
        context.caller(new Caller("bob", Map.of("email", "bob@solo.io", "sub", "bob")));
        // a property named like a fact is no fact: only the typed context is
        exchange.setProperty("llmOrg", "engineering");
        Rule opusForEngineering = Rule.parse("llm.model startsWith \"claude-opus\" && llm.org == \"engineering\""
                                             + " || !(llm.model startsWith \"claude-opus\")");
        assertEquals(Rule.Outcome.FALSE, opusForEngineering.evaluate(RequestFacts.of(exchange, Map.of())));
        assertEquals(Rule.Outcome.TRUE, Rule.parse("llm.org == 'support' && mcp.method == 'tools/call' && "
                                                   + "email endsWith '@solo.io'")
                .evaluate(RequestFacts.of(exchange, Map.of())));
        // a policy's own facts for one item come first
        assertEquals(Rule.Outcome.TRUE, Rule.parse("mcp.method == 'tools/list'")
                .evaluate(RequestFacts.of(exchange, Map.of("mcp.method", "tools/list"))));
        assertEquals("bob@solo.io", RequestContext.caller(exchange).who());
        assertEquals("bob", RequestContext.caller(exchange).subject());
    }

    @Test
    void withoutAContextTheCallerIsAnonymous() {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        assertEquals("anonymous", RequestContext.caller(exchange).who());
        assertEquals(Rule.Outcome.TRUE, Rule.parse("jwt.sub == null").evaluate(RequestFacts.of(exchange, Map.of())));
    }
}
