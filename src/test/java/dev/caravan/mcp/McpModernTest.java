package dev.caravan.mcp;

import java.net.http.HttpResponse;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.caravan.CaravanConfiguration;
import dev.caravan.demo.DemoConfiguration;
import dev.caravan.support.McpHttp;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients of the sessionless MCP generation (2026-07-28) in front of the two demo backends, which speak 2025-11-25:
 * no initialize and no session id, an envelope on every request, headers checked against the body.
 */
@CamelMainTest(configurationClasses = {CaravanConfiguration.class, DemoConfiguration.class},
               propertyPlaceholderLocations = {"file:config/demo.properties", "file:config/application.properties"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpModernTest {

    private static final int PORT = TestPorts.configureGateway();
    private static final String V = ModernRequest.VERSION;
    private static final String ENVELOPE = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"" + V + "\","
            + "\"io.modelcontextprotocol/clientCapabilities\":{},"
            + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"modern-test\",\"version\":\"1\"}}";

    private final McpHttp http = new McpHttp(PORT);

    /** A request of the 2026-07-28 generation with its envelope and the headers it needs; {@code params} without braces. */
    private HttpResponse<String> send(String method, String params, String... headers) {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"" + method + "\",\"params\":{" + ENVELOPE
                      + (params.isEmpty() ? "" : "," + params) + "}}";
        String[] all = new String[headers.length + 4];
        all[0] = "MCP-Protocol-Version";
        all[1] = V;
        all[2] = "Mcp-Method";
        all[3] = method;
        System.arraycopy(headers, 0, all, 4, headers.length);
        return http.post(body, all);
    }

    private static JsonNode error(HttpResponse<String> r, int status, int code) {
        assertEquals(status, r.statusCode(), r::body);
        JsonNode message = McpHttp.message(r);
        assertEquals(code, message.at("/error/code").asInt(), r::body);
        assertEquals(5, message.get("id").asInt(), r::body);
        return message.get("error");
    }

    @Test
    void discoverNamesTheGatewayAndWhatItsBackendsCanDo() {
        HttpResponse<String> r = send("server/discover", "");
        assertEquals(200, r.statusCode(), r::body);
        assertTrue(r.headers().firstValue("Mcp-Session-Id").isEmpty(), "a 2026-07-28 client gets no session");
        JsonNode result = McpHttp.message(r).get("result");
        assertEquals("complete", result.get("resultType").asText());
        assertEquals(V, result.at("/supportedVersions/0").asText());
        assertTrue(result.at("/capabilities/tools").isObject() && result.at("/capabilities/prompts").isObject(),
                result::toString);
        // list changes are heard through subscriptions/listen, as the backends declared them; resource subscriptions
        // only from backends of the new generation (none here)
        assertTrue(result.at("/capabilities/tools").has("listChanged"), result::toString);
        assertFalse(result.at("/capabilities/resources").has("subscribe"), result::toString);
        assertEquals("caravan", result.at("/_meta/io.modelcontextprotocol~1serverInfo/name").asText());
        assertTrue(result.get("instructions").asText().contains("## knowledge-base"));
        assertEquals(0, result.get("ttlMs").asInt());
        assertEquals("private", result.get("cacheScope").asText());
    }

    @Test
    void subscriptionsListenIsTheNewGenerationsAloneAndBeginsWithWhatItHonours() throws Exception {
        McpHttp legacy = new McpHttp(PORT);
        legacy.initialize(McpHttp.LATEST);
        JsonNode refused = legacy.call("subscriptions/listen", "{\"notifications\":{\"toolsListChanged\":true}}");
        assertEquals(-32601, refused.at("/error/code").asInt(), refused::toString);

        // the demo backends keep a GET stream per session, heard for the listen; the stream stays open, so only its
        // start is read
        java.net.http.HttpResponse<java.io.InputStream> listen = http.open(http.request("{\"jsonrpc\":\"2.0\",\"id\":"
                + "\"l1\",\"method\":\"subscriptions/listen\",\"params\":{" + ENVELOPE + ",\"notifications\":"
                + "{\"toolsListChanged\":true,\"resourceSubscriptions\":[\"knowledge-base+docs://x\"]}}}",
                "MCP-Protocol-Version", V, "Mcp-Method", "subscriptions/listen").build());
        try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(listen.body(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            assertEquals(200, listen.statusCode());
            assertTrue(listen.headers().firstValue("Mcp-Session-Id").isEmpty(), "no session for this client");
            String data = lines.lines().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow();
            JsonNode acknowledged = McpHttp.JSON.readTree(data.substring(6));
            assertEquals("notifications/subscriptions/acknowledged", acknowledged.get("method").asText());
            assertEquals("l1", acknowledged.at("/params/_meta/io.modelcontextprotocol~1subscriptionId").asText());
            // the demo backends speak 2025-11-25: their resources cannot be subscribed to for a listen
            assertEquals("{\"toolsListChanged\":true}", acknowledged.at("/params/notifications").toString());
        }
    }

    @Test
    void listsAndCallsNeedNoSession() {
        HttpResponse<String> listed = send("tools/list", "");
        assertEquals(200, listed.statusCode(), listed::body);
        assertTrue(listed.headers().firstValue("Mcp-Session-Id").isEmpty());
        JsonNode list = McpHttp.message(listed).get("result");
        assertEquals(List.of("knowledge-base_search_docs", "slack-conversations_search_messages",
                "slack-conversations_summarize_channel"),
                list.get("tools").findValuesAsText("name").stream().filter(n -> n.contains("_")).toList());
        assertEquals("complete", list.get("resultType").asText());
        assertEquals(0, list.get("ttlMs").asInt());
        assertEquals("private", list.get("cacheScope").asText());

        String tool = "knowledge-base_search_docs";
        HttpResponse<String> called = send("tools/call", "\"name\":\"" + tool + "\",\"arguments\":{\"query\":"
                                                         + "\"timeouts\",\"product\":\"gloo-gateway\"}",
                "Mcp-Name", tool);
        assertEquals(200, called.statusCode(), called::body);
        JsonNode result = McpHttp.message(called).get("result");
        assertTrue(result.at("/content/0/text").asText().contains("Request and backend timeouts"), result::toString);
        assertEquals("complete", result.get("resultType").asText());

        String uri = "knowledge-base+docs://gloo-gateway/timeouts";
        JsonNode read = McpHttp.message(send("resources/read", "\"uri\":\"" + uri + "\"", "Mcp-Name", uri))
                .get("result");
        assertEquals(uri, read.at("/contents/0/uri").asText(), read::toString);
        // a read result says how long it may be cached, as a list does
        assertEquals(0, read.get("ttlMs").asInt(), read::toString);
        assertEquals("private", read.get("cacheScope").asText());

        // a progress token still gets the backend's progress, on the request's own stream
        String slow = "slack-conversations_summarize_channel";
        HttpResponse<String> streamed = http.post("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{"
                + "\"_meta\":{\"progressToken\":\"p-1\"," + ENVELOPE.substring("\"_meta\":{".length())
                + ",\"name\":\"" + slow + "\",\"arguments\":{\"channel\":\"support\",\"steps\":2,\"stepMillis\":10}}}",
                "MCP-Protocol-Version", V, "Mcp-Method", "tools/call", "Mcp-Name", slow);
        assertTrue(streamed.body().contains("\"progressToken\":\"p-1\""), streamed::body);
        assertFalse(streamed.body().contains("\nid:"), "no event ids: a 2026-07-28 stream is not resumed");
        assertEquals("complete", McpHttp.message(streamed).at("/result/resultType").asText(), streamed::body);
    }

    @Test
    void headersMustRepeatTheBody() {
        String tool = "knowledge-base_search_docs";
        String params = "\"name\":\"" + tool + "\",\"arguments\":{\"query\":\"x\"}";
        error(send("tools/call", params, "Mcp-Name", "slack-conversations_search_messages"), 400,
                ModernRequest.HEADER_MISMATCH);
        error(send("tools/call", params), 400, ModernRequest.HEADER_MISMATCH);
        error(send("tools/call", params, "Mcp-Name", tool, "Mcp-Method", "tools/list"), 400,
                ModernRequest.HEADER_MISMATCH);
        error(send("tools/list", "", "MCP-Protocol-Version", "2025-11-25"), 400, ModernRequest.HEADER_MISMATCH);
        // a name that is not plain ASCII travels base64-encoded, and is compared decoded
        assertEquals(200, send("tools/call", params, "Mcp-Name", "=?base64?a25vd2xlZGdlLWJhc2Vfc2VhcmNoX2RvY3M=?=")
                .statusCode());
    }

    @Test
    void aBadEnvelopeAnUnknownVersionOrAMethodOfTheOlderGenerationIsRefused() {
        HttpResponse<String> noCapabilities = http.post("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\","
                + "\"params\":{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"" + V + "\"}}}",
                "MCP-Protocol-Version", V, "Mcp-Method", "tools/list");
        error(noCapabilities, 400, JsonRpc.INVALID_PARAMS);
        HttpResponse<String> noEnvelope = http.post("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\"}",
                "MCP-Protocol-Version", V, "Mcp-Method", "tools/list");
        error(noEnvelope, 400, JsonRpc.INVALID_PARAMS);

        String future = "2099-01-01";
        HttpResponse<String> unsupported = http.post("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\","
                + "\"params\":" + "{" + ENVELOPE.replace(V, future) + "}}",
                "MCP-Protocol-Version", future, "Mcp-Method", "tools/list");
        JsonNode refused = error(unsupported, 400, ModernRequest.UNSUPPORTED_VERSION);
        assertEquals(V, refused.at("/data/supported/0").asText());
        assertEquals(future, refused.at("/data/requested").asText());

        error(send("ping", ""), 404, JsonRpc.METHOD_NOT_FOUND);
        error(send("initialize", "\"protocolVersion\":\"" + V + "\",\"capabilities\":{}"), 404,
                JsonRpc.METHOD_NOT_FOUND);
        error(send("logging/setLevel", "\"level\":\"info\""), 404, JsonRpc.METHOD_NOT_FOUND);
    }

    @Test
    void notificationsAreAcknowledged() {
        HttpResponse<String> r = http.post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
                                           + "\"params\":{\"requestId\":5}}", "MCP-Protocol-Version", V);
        assertEquals(202, r.statusCode(), r::body);
    }

    @Test
    void clientsOfTheOlderGenerationAreServedAsBefore() {
        HttpResponse<String> discover = http.post("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"server/discover\"}");
        // without an envelope it is no 2026-07-28 request: a session is needed first, as for any request
        assertEquals(400, discover.statusCode(), discover::body);
        McpHttp old = new McpHttp(PORT);
        old.initialize(McpHttp.LATEST);
        assertEquals(JsonRpc.METHOD_NOT_FOUND, old.call("server/discover", null).at("/error/code").asInt());
        assertFalse(old.call("tools/list", null).at("/result").has("resultType"));
    }
}
