package dev.caravan.mcp;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Message;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Which arguments a tool marks for Mcp-Param-* headers, and the headers a call to a 2026-07-28 backend gets. */
class ToolParamHeadersTest {

    private static JsonNode json(String text) throws Exception {
        return JsonRpc.MAPPER.readTree(text);
    }

    @Test
    void marksCountOnlyOnPrimitivesReachedThroughProperties() throws Exception {
        List<ToolParamHeaders.Declaration> found = ToolParamHeaders.declared(json("""
                {"type":"object","x-mcp-header":"Root","properties":{
                  "region":{"type":"string","x-mcp-header":"Region"},
                  "spec":{"type":"object","properties":{"zone":{"type":"integer","x-mcp-header":"Zone"},
                                                          "bad name":{"type":"string","x-mcp-header":"Has Space"}}},
                  "list":{"type":"array","items":{"type":"string","x-mcp-header":"Item"}},
                  "any":{"anyOf":[{"type":"string","x-mcp-header":"Any"}]},
                  "obj":{"type":"object","x-mcp-header":"Obj"}}}"""));
        assertEquals(List.of(new ToolParamHeaders.Declaration(List.of("region"), "Region", "string"),
                new ToolParamHeaders.Declaration(List.of("spec", "zone"), "Zone", "integer")), found);
    }

    @Test
    void aCallToAModernBackendRepeatsTheMarkedArgumentsItHas() throws Exception {
        ToolParamHeaders headers = new ToolParamHeaders();
        headers.learn("b", json("""
                [{"name":"locate","inputSchema":{"type":"object","properties":{
                   "region":{"type":"string","x-mcp-header":"Region"},"zone":{"type":"integer","x-mcp-header":"Zone"},
                   "ok":{"type":"boolean","x-mcp-header":"Ok"}}}},
                 {"name":"plain","inputSchema":{"type":"object"}}]"""));
        assertNull(headers.of("b", "plain"), "only marked tools are kept");
        assertNull(headers.of("b", "unlisted"));
        assertNull(headers.of("other", "locate"));
        Message m = new DefaultExchange(new DefaultCamelContext()).getMessage();
        ToolParamHeaders.set(m, headers.of("b", "locate"), json("{\"region\":\"eu west\",\"zone\":3.0,\"ok\":null}"));
        assertEquals("eu west", m.getHeader("Mcp-Param-Region"));
        assertEquals("3", m.getHeader("Mcp-Param-Zone"), "an integer as its decimal");
        assertFalse(m.getHeaders().containsKey("Mcp-Param-Ok"), "no header for a null value");
        ToolParamHeaders.set(m, headers.of("b", "locate"), json("{\"region\":\"Zürich\"}"));
        assertEquals("=?base64?WsO8cmljaA==?=", m.getHeader("Mcp-Param-Region"));
    }
}
