package dev.caravan.mcp;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the gateway speaks MCP 2026-07-28 to a backend: header values, refusals it learns from, round-trip keys. */
class ModernBackendTest {

    @Test
    void headerValuesThatAreNotPlainVisibleAsciiAreSentInBase64() {
        assertEquals("search_docs", ModernBackend.headerValue("search_docs"));
        assertEquals("a b", ModernBackend.headerValue("a b"));
        assertEquals("=?base64?w6l0w6k=?=", ModernBackend.headerValue("été"));
        assertEquals("=?base64?IHg=?=", ModernBackend.headerValue(" x"), "space at an end");
        assertEquals("=?base64?YQpi?=", ModernBackend.headerValue("a\nb"), "no line break in a header");
        assertEquals("=?base64?PT9iYXNlNjQ/eD89?=", ModernBackend.headerValue("=?base64?x?="),
                "a value that looks encoded is encoded");
        // what the front door decodes, the back door encodes: a round trip
        JsonRpc.Message none = new JsonRpc.Message(JsonRpc.object(), JsonRpc.Kind.REQUEST, null, "tools/call");
        assertEquals("été", ModernRequest.decode("Mcp-Name", ModernBackend.headerValue("été"), none));
        // one value, one encoding: base64 without its padding or with other characters is refused
        for (String odd : new String[] {"=?base64?SGVsbG8?=", "=?base64?SGVs!!!bG8=?=", "=?base64?//79?="}) {
            assertEquals(ModernRequest.HEADER_MISMATCH, assertThrows(McpException.class,
                    () -> ModernRequest.decode("Mcp-Param-Region", odd, none)).code(), odd);
        }
        assertEquals("Hello", ModernRequest.decode("Mcp-Param-Region", "=?base64?SGVsbG8=?=", none));
    }

    @Test
    void onlyARefusalNamingAVersionOfThisGenerationMakesABackendModern() {
        assertTrue(ModernBackend.refusedInitialize(answer(400, "{\"jsonrpc\":\"2.0\",\"id\":0,\"error\":{\"code\":"
                + "-32022,\"message\":\"Unsupported protocol version\",\"data\":{\"supported\":[\"2026-07-28\"]}}}")));
        assertFalse(ModernBackend.refusedInitialize(answer(400, "{\"jsonrpc\":\"2.0\",\"id\":0,\"error\":{\"code\":"
                + "-32022,\"message\":\"no\",\"data\":{\"supported\":[\"2031-01-01\"]}}}")), "a version not spoken");
        assertFalse(ModernBackend.refusedInitialize(answer(400, "{\"jsonrpc\":\"2.0\",\"id\":0,\"error\":{\"code\":"
                + "-32600,\"message\":\"Bad Request\"}}")));
        assertFalse(ModernBackend.refusedInitialize(answer(500, "{\"error\":{\"code\":-32022,\"data\":{\"supported\":"
                + "[\"2026-07-28\"]}}}")), "a server error is no statement about versions");
        assertFalse(ModernBackend.refusedInitialize(answer(400, "not json")));
    }

    @Test
    void aRetryAnswersOnlyTheQuestionsOfTheBackendItGoesTo() throws Exception {
        JsonRpc.Message message = new JsonRpc.Message(JsonRpc.object(), JsonRpc.Kind.REQUEST, null, "tools/call");
        ObjectNode params = (ObjectNode) JsonRpc.MAPPER.readTree(
                "{\"inputResponses\":{\"kb:ok\":{\"action\":\"accept\"},\"kb:kb:x\":{\"action\":\"decline\"}}}");
        ModernBackend.unqualifyResponses("kb", params, message);
        assertEquals("{\"ok\":{\"action\":\"accept\"},\"kb:x\":{\"action\":\"decline\"}}",
                params.get("inputResponses").toString());
        for (String forged : new String[] {"{\"kb2:ok\":{}}", "{\"ok\":{}}", "{\"kb:\":{}}", "[]"}) {
            ObjectNode bad = (ObjectNode) JsonRpc.MAPPER.readTree("{\"inputResponses\":" + forged + "}");
            McpException e = assertThrows(McpException.class, () -> ModernBackend.unqualifyResponses("kb", bad,
                    message), forged);
            assertEquals(JsonRpc.INVALID_PARAMS, e.code());
        }
    }

    @Test
    void aQuestionReachesAModernClientKeyedAndAnOlderOneAsAnError() throws Exception {
        String asked = "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"resultType\":\"input_required\",\"inputRequests\":"
                       + "{\"ok\":{\"method\":\"elicitation/create\",\"params\":{}}},\"requestState\":\"s1\","
                       + "\"_meta\":{\"io.modelcontextprotocol/serverInfo\":{\"name\":\"b\"}}}}";
        ObjectNode modern = (ObjectNode) JsonRpc.MAPPER.readTree(asked);
        ModernBackend.answer("kb", true, true, modern);
        assertEquals("{\"resultType\":\"input_required\",\"inputRequests\":{\"kb:ok\":{\"method\":\"elicitation/create\","
                     + "\"params\":{}}},\"requestState\":\"s1\"}", modern.get("result").toString());
        ObjectNode older = (ObjectNode) JsonRpc.MAPPER.readTree(asked);
        ModernBackend.answer("kb", false, true, older);
        assertFalse(older.has("result"));
        assertEquals(JsonRpc.INTERNAL_ERROR, older.at("/error/code").asInt());
        assertEquals("kb", older.at("/error/data/backend").asText());
    }

    private static Exchange answer(int status, String body) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        return exchange;
    }
}
