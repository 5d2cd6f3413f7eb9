package dev.caravan.auth;

import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the routes know about a request reaches the rules as facts. */
class AuthExchangeTest {

    @Test
    void llmAndMcpFactsComeFromTheRoutesProperties() {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty("llmModel", "claude-opus-4-7@20260301");
        exchange.setProperty("llmOrg", "support");
        exchange.setProperty("mcpMethod", "tools/call");
        exchange.getIn().setHeader("x-org", "support");
        AuthExchange.setClaims(exchange, Map.of("email", "bob@solo.io", "sub", "bob"), "bob");
        Rule opusForEngineering = Rule.parse("llm.model startsWith \"claude-opus\" && header.x-org == \"engineering\""
                                             + " || !(llm.model startsWith \"claude-opus\")");
        assertEquals(Rule.Outcome.FALSE, opusForEngineering.evaluate(AuthExchange.facts(exchange, Map.of())));
        assertEquals(Rule.Outcome.TRUE, Rule.parse("llm.org == 'support' && mcp.method == 'tools/call' && "
                                                   + "email endsWith '@solo.io'").evaluate(AuthExchange.facts(exchange, Map.of())));
        assertEquals("bob@solo.io", AuthExchange.caller(exchange));
        assertEquals("bob", exchange.getProperty(AuthExchange.SUBJECT));
    }
}
