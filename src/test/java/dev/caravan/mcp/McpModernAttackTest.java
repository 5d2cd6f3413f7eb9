package dev.caravan.mcp;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.caravan.CaravanConfiguration;
import dev.caravan.demo.DemoConfiguration;
import dev.caravan.support.McpHttp;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile and malformed requests of the sessionless MCP generation (2026-07-28), and requests that mix the two
 * generations: every one is refused with a JSON-RPC error of the right code and status, carrying the request's id, and
 * none is served on the strength of a header the gateway did not check.
 */
@CamelMainTest(configurationClasses = {CaravanConfiguration.class, DemoConfiguration.class},
               propertyPlaceholderLocations = {"file:config/demo.properties", "file:config/application.properties"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpModernAttackTest {

    private static final int PORT = TestPorts.configureGateway();
    private static final String V = ModernRequest.VERSION;
    private static final String META = "{\"io.modelcontextprotocol/protocolVersion\":\"" + V + "\","
            + "\"io.modelcontextprotocol/clientCapabilities\":{}}";
    private static final String TOOL = "knowledge-base_search_docs";
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"_meta\":"
            + META + ",\"name\":\"" + TOOL + "\",\"arguments\":{\"query\":\"timeouts\"}}}";

    private final McpHttp http = new McpHttp(PORT);

    private static JsonNode refused(HttpResponse<String> r, int status, int code) {
        assertEquals(status, r.statusCode(), r::body);
        JsonNode message = McpHttp.message(r);
        assertEquals(code, message.at("/error/code").asInt(), r::body);
        return message;
    }

    private HttpResponse<String> modern(String method, String params) {
        return http.post("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"" + method + "\",\"params\":" + params + "}",
                "MCP-Protocol-Version", V, "Mcp-Method", method);
    }

    @Test
    void aMalformedEnvelopeIsInvalidParams() {
        for (String params : new String[] {"{\"_meta\":[1]}", "{\"_meta\":\"" + V + "\"}",
                "{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":20260728,"
                + "\"io.modelcontextprotocol/clientCapabilities\":{}}}",
                "{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":{\"v\":\"" + V + "\"},"
                + "\"io.modelcontextprotocol/clientCapabilities\":{}}}",
                "{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"" + V + "\","
                + "\"io.modelcontextprotocol/clientCapabilities\":[]}}"}) {
            JsonNode message = refused(modern("tools/list", params), 400, JsonRpc.INVALID_PARAMS);
            assertEquals(5, message.get("id").asInt(), params);
        }
        // nested past what the parser accepts: a parse error, not a failure of the gateway
        String deep = "{\"_meta\":" + META.replace("{}", "[".repeat(2000) + "]".repeat(2000)) + "}";
        assertEquals(400, modern("tools/list", deep).statusCode());
    }

    /**
     * A JSON-RPC response that carries a 2026-07-28 envelope has no gateway session to go with (the client of this
     * generation is never asked anything): it must be refused as a client mistake, not fail inside the gateway.
     */
    @Test
    void aResponseWithAnEnvelopeIsRefusedAsAClientMistake() {
        HttpResponse<String> r = http.post("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{},\"params\":{\"_meta\":"
                + META + "}}", "MCP-Protocol-Version", V);
        assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, () -> r.statusCode() + " " + r.body());
        assertEquals("2.0", McpHttp.message(r).get("jsonrpc").asText(), r::body);
    }

    /**
     * Intermediaries route and limit on Mcp-Name and Mcp-Method; one that reads the last of two headers sees another
     * tool than the gateway checked. A request that sends one twice is refused as a header mismatch.
     */
    @Test
    void aStandardHeaderSentTwiceIsAMismatch() {
        HttpResponse<String> twoNames = http.send(http.request(CALL, "MCP-Protocol-Version", V,
                "Mcp-Method", "tools/call", "Mcp-Name", TOOL).header("Mcp-Name", "slack-conversations_search_messages")
                .build());
        refused(twoNames, 400, ModernRequest.HEADER_MISMATCH);
        HttpResponse<String> twoMethods = http.send(http.request(CALL, "MCP-Protocol-Version", V,
                "Mcp-Method", "tools/call", "Mcp-Name", TOOL).header("Mcp-Method", "tools/list").build());
        refused(twoMethods, 400, ModernRequest.HEADER_MISMATCH);
        HttpResponse<String> twoVersions = http.send(http.request(CALL, "MCP-Protocol-Version", V,
                "Mcp-Method", "tools/call", "Mcp-Name", TOOL).header("MCP-Protocol-Version", "2025-11-25").build());
        refused(twoVersions, 400, ModernRequest.HEADER_MISMATCH);
    }

    @Test
    void base64HeaderValuesAreDecodedStrictly() {
        String[] bad = {"=?base64??=", "=?base64?/w==?=", "=?base64?not base64?=", "=?base64?" + TOOL + "?=",
                        "=?BASE64?a25vd2xlZGdlLWJhc2Vfc2VhcmNoX2RvY3M=?="};
        for (String name : bad) {
            refused(http.post(CALL, "MCP-Protocol-Version", V, "Mcp-Method", "tools/call", "Mcp-Name", name), 400,
                    ModernRequest.HEADER_MISMATCH);
        }
    }

    /**
     * A client of the older generation whose MCP-Protocol-Version names no version at all was refused before 2026-07-28
     * support; a value that merely sorts after "2026-07-28" must not make its notification vanish (202, never sent
     * to the backends) or turn its requests into ones of the newer generation.
     */
    @Test
    void aProtocolVersionHeaderThatIsNoVersionIsStillRefused() {
        McpHttp old = new McpHttp(PORT);
        old.initialize(McpHttp.LATEST);
        HttpResponse<String> r = old.post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
                + "\"params\":{\"requestId\":1}}", "MCP-Protocol-Version", "latest");
        assertEquals(400, r.statusCode(), r::body);
    }

    @Test
    void anotherClientsSessionIdIsIgnored() {
        McpHttp old = new McpHttp(PORT);
        old.initialize(McpHttp.LATEST);
        HttpResponse<String> r = http.post(CALL, "MCP-Protocol-Version", V, "Mcp-Method", "tools/call", "Mcp-Name",
                TOOL, "Mcp-Session-Id", old.sessionId());
        assertEquals(200, r.statusCode(), r::body);
        assertTrue(r.headers().firstValue("Mcp-Session-Id").isEmpty(), r.headers()::toString);
        // and a session id that is not one makes no difference either
        HttpResponse<String> bogus = http.post(CALL, "MCP-Protocol-Version", V, "Mcp-Method", "tools/call",
                "Mcp-Name", TOOL, "Mcp-Session-Id", "nope");
        assertEquals(200, bogus.statusCode(), bogus::body);
    }

    @Test
    void aNameThatIsNoStringIsRefusedWithTheRequestId() {
        HttpResponse<String> r = http.post(CALL.replace("\"" + TOOL + "\"", "42"), "MCP-Protocol-Version", V,
                "Mcp-Method", "tools/call", "Mcp-Name", "42");
        JsonNode message = refused(r, 400, ModernRequest.HEADER_MISMATCH);
        assertEquals(5, message.get("id").asInt());
    }
}
