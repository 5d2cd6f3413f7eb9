package dev.caravan.mcp;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import dev.caravan.auth.RequestFacts;
import dev.caravan.auth.Rule;
import dev.caravan.core.RequestContext;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The typed context of one MCP request: its rule facts, and one context per backend of a fan-out. */
class McpCallTest {

    private static McpCall call(String json) {
        return McpCall.arrived(0).read(JsonRpc.parse(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void rulesReadTheFactsOfTheContext() {
        McpCall call = call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"kb_search\"}}");
        assertEquals("tools/call", call.fact("mcp.method"));
        // what a call concerns is known once it is routed
        assertNull(call.fact("mcp.tool"));
        call.target("kb_search");
        assertEquals("kb_search", call.fact("mcp.tool"));
        assertNull(call.fact("mcp.prompt"));
        assertNull(call.fact("llm.model"));

        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        call.attach(exchange);
        assertSame(call, RequestContext.of(exchange));
        assertEquals(Rule.Outcome.TRUE, Rule.parse("mcp.method == 'tools/call'")
                .evaluate(RequestFacts.of(exchange, Map.of())));
    }

    @Test
    void aResponseHasNoMethodFact() {
        McpCall answer = call("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"result\":{}}");
        assertNull(answer.fact("mcp.method"));
        assertEquals("response", answer.messageKind());
        McpCall get = McpCall.arrived(0);
        assertNull(get.fact("mcp.method"), "nothing is known of a request before it is read");
        get.readHttpMethod("GET");
        assertEquals("GET", get.fact("mcp.method"));
        assertEquals(McpMethod.Dispatch.STREAM, get.dispatch());
    }

    @Test
    void eachBackendOfAFanOutHasItsOwnContext() {
        McpCall request = call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
        McpSessions.Session session = new McpSessions.Session("2025-11-25", Map.of(), "", 0, true, null);
        request.session("s-1", session);
        McpCall kb = request.forBackend("kb");
        McpCall slack = request.forBackend("slack");
        kb.session(session.with("kb", new McpSessions.Backend("renewed", null, java.util.Set.of())));
        assertEquals("kb", kb.backend());
        assertEquals("slack", slack.backend());
        assertNull(request.backend());
        // a backend session renewed for one backend call is that call's
        assertSame(session, slack.session());
        assertSame(session, request.session());
        assertEquals("s-1", slack.sessionId());
        assertSame(request.message(), slack.message());
    }
}
