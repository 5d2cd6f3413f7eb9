package dev.caravan.mcp;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonRpcTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}|REQUEST|tools/list",
            "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"ping\",\"params\":{}}|REQUEST|ping",
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}|NOTIFICATION|notifications/initialized",
            "{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{}}|RESPONSE|",
            "{\"jsonrpc\":\"2.0\",\"id\":5,\"error\":{\"code\":1,\"message\":\"x\"}}|RESPONSE|"})
    void classifiesMessages(String json, JsonRpc.Kind kind, String method) {
        JsonRpc.Message m = JsonRpc.parse(json.getBytes(StandardCharsets.UTF_8));
        assertEquals(kind, m.kind());
        assertEquals(method, m.method());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"jsonrpc\":|-32700",
            "''|-32700",
            "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]|-32600",
            "{\"id\":1,\"method\":\"ping\"}|-32600",
            "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}|-32600",
            "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}|-32600",
            "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}|-32600",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":3}|-32600",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":[1]}|-32600",
            "{\"jsonrpc\":\"2.0\",\"id\":1}|-32600",
            "\"just a string\"|-32600"})
    void rejectsWhatIsNotOneJsonRpcMessage(String body, int code) {
        McpException e = assertThrows(McpException.class, () -> JsonRpc.parse(body.getBytes(StandardCharsets.UTF_8)));
        assertEquals(code, e.code());
        assertEquals(400, e.httpStatus());
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json, text/event-stream", "*/*", "application/*, text/*;q=0.5",
                            "text/event-stream;q=0.9, application/json;q=1"})
    void acceptsBothMediaTypes(String accept) {
        assertEquals(true, McpRequestCheck.accepts(accept, "application/json")
                           && McpRequestCheck.accepts(accept, "text/event-stream"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "text/event-stream", "", "text/html, application/xml"})
    void missingMediaTypeIsNotAccepted(String accept) {
        assertEquals(false, McpRequestCheck.accepts(accept, "application/json")
                            && McpRequestCheck.accepts(accept, "text/event-stream"));
    }

    @Test
    void aResponseIsReadAsItStreamsBy() {
        JsonRpc.ResponseSummary tool = JsonRpc.scanResponse(("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":"
                + "[{\"type\":\"text\",\"text\":\"no\",\"isError\":false}],\"isError\":true}}").getBytes(StandardCharsets.UTF_8));
        assertEquals(7, tool.id().asInt());
        assertEquals(true, tool.hasResult() && tool.toolError() && !tool.hasError());
        JsonRpc.ResponseSummary error = JsonRpc.scanResponse("{\"id\":\"a\",\"error\":{\"code\":-32602,\"message\":\"bad\"}}"
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(-32602, error.errorCode());
        assertEquals("bad", error.errorMessage());
        assertEquals("a", error.id().asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"id\":1,\"result\":{},\"id\":2}", "{\"id\":1,\"result\":{\"a\":1,\"a\":2}}",
                            "{\"id\":1,\"result\":{}} {}", "{\"id\":1,\"result\":{}", "[1]", "", "{\"id\":1,\"result\":tru}"})
    void aResponseThatCouldBeReadTwoWaysIsNotPassedOn(String body) {
        // a key given twice, trailing or missing bytes: what a client would read is not what the gateway read
        assertNull(JsonRpc.scanResponse(body.getBytes(StandardCharsets.UTF_8)));
    }
}
