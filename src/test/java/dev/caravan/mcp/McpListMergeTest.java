package dev.caravan.mcp;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import dev.caravan.proxy.UpstreamException;
import dev.caravan.telemetry.GatewayMetrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class McpListMergeTest {

    private final CamelContext context = new DefaultCamelContext();
    private final JsonRpc.Message request = JsonRpc.parse(
            "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/list\"}".getBytes(StandardCharsets.UTF_8));

    private Exchange answer(String backend, int index, String body) {
        Exchange e = new DefaultExchange(context);
        McpCall.arrived(0).read(request).forBackend(backend).attach(e);
        e.setProperty(ExchangePropertyKey.MULTICAST_INDEX, index);
        e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        e.getMessage().setHeader("content-type", "application/json");
        e.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        return e;
    }

    private Exchange failed(String backend, int index) {
        Exchange e = answer(backend, index, "");
        e.setException(new UpstreamException(backend, UpstreamException.Kind.CONNECT, "cannot connect (refused)"));
        return e;
    }

    private JsonNode merge(Exchange... answers) throws Exception {
        return merge(null, answers);
    }

    private JsonNode merge(ModernRequest.Envelope modern, Exchange... answers) throws Exception {
        McpListMerge merge = new McpListMerge(new GatewayMetrics(), new McpSessions("", "", 60_000),
                new ToolParamHeaders(), 300_000);
        Exchange original = new DefaultExchange(context);
        McpCall call = McpCall.arrived(0).read(request);
        call.session("s-1", new McpSessions.Session("2025-11-25", java.util.Map.of(), "", 0, true, null));
        call.modern(modern);
        call.attach(original);
        Exchange result = null;
        for (Exchange a : answers) {
            result = merge.aggregate(result, a);
        }
        merge.onCompletion(result, original);
        return JsonRpc.MAPPER.readTree(result.getMessage().getBody(io.vertx.core.buffer.Buffer.class).getBytes());
    }

    @Test
    void answersAreMergedInDeclarationOrderWhateverOrderTheyArrive() throws Exception {
        JsonNode reply = merge(
                answer("b", 1, "{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{\"tools\":[{\"name\":\"x\"}]}}"),
                failed("c", 2),
                answer("a", 0, "{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{\"tools\":[{\"name\":\"x\"},{\"name\":\"y\"}]}}"));
        assertEquals("[{\"name\":\"a_x\"},{\"name\":\"a_y\"},{\"name\":\"b_x\"}]", reply.at("/result/tools").toString());
        assertEquals(9, reply.get("id").asInt());
    }

    @Test
    void whenEveryBackendFailsTheClientLearnsWhy() throws Exception {
        JsonNode reply = merge(failed("a", 0),
                answer("b", 1, "{\"jsonrpc\":\"2.0\",\"id\":9,\"error\":{\"code\":-32601,\"message\":\"no\"}}"));
        assertEquals(JsonRpc.INTERNAL_ERROR, reply.at("/error/code").asInt());
        String message = reply.at("/error/message").asText();
        assertTrue(message.contains("a: cannot connect (refused)") && message.contains("b: error -32601 no"), message);
    }

    private Exchange listed(String backend, int index, String hints) {
        return answer(backend, index, "{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{\"tools\":[{\"name\":\"t\"}]"
                                      + hints + "}}");
    }

    @Test
    void aModernClientMayKeepAListAsLongAsEveryBackendAllowsNoLongerThanConfigured() throws Exception {
        ModernRequest.Envelope modern = new ModernRequest.Envelope(ModernRequest.VERSION, JsonRpc.object(), null, null);
        JsonNode least = merge(modern, listed("a", 0, ",\"ttlMs\":60000,\"cacheScope\":\"public\""),
                listed("b", 1, ",\"ttlMs\":30000,\"cacheScope\":\"public\"")).get("result");
        assertEquals(30000, least.get("ttlMs").asLong());
        assertEquals("public", least.get("cacheScope").asText());
        JsonNode capped = merge(modern, listed("a", 0, ",\"ttlMs\":86400000,\"cacheScope\":\"public\"")).get("result");
        assertEquals(300_000, capped.get("ttlMs").asLong(), "the configured cap");
        JsonNode older = merge(modern, listed("a", 0, ",\"ttlMs\":60000,\"cacheScope\":\"public\""),
                listed("b", 1, "")).get("result");
        assertEquals(0, older.get("ttlMs").asLong(), "a backend of the older generation gives no hint: 0");
        assertEquals("private", older.get("cacheScope").asText());
        JsonNode partial = merge(modern, listed("a", 0, ",\"ttlMs\":60000,\"cacheScope\":\"public\""), failed("c", 1))
                .get("result");
        assertEquals(0, partial.get("ttlMs").asLong(), "a list missing a backend is not one to keep");
        assertEquals("private", partial.get("cacheScope").asText());
        JsonNode scoped = merge(modern, listed("a", 0, ",\"ttlMs\":60000,\"cacheScope\":\"public\""),
                listed("b", 1, ",\"ttlMs\":60000,\"cacheScope\":\"private\"")).get("result");
        assertEquals("private", scoped.get("cacheScope").asText());
        assertEquals(60000, scoped.get("ttlMs").asLong());
        assertTrue(merge(listed("a", 0, ",\"ttlMs\":60000,\"cacheScope\":\"public\"")).get("result").has("tools"));
    }
}
