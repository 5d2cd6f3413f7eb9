package dev.caravan.mcp;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.json.JsonObject;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.caravan.CaravanConfiguration;
import dev.caravan.demo.DemoConfiguration;
import dev.caravan.support.McpHttp;
import dev.caravan.support.ModernOnlyMcpServer;
import dev.caravan.support.TestBackends;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile clients of both generations against a backend that speaks only MCP 2026-07-28 ({@link ModernOnlyMcpServer}):
 * what reaches the backend is the gateway's own envelope and headers, never a client's, and odd argument values are
 * refused as the client's mistakes.
 */
@CamelMainTest(configurationClasses = {CaravanConfiguration.class, DemoConfiguration.class},
               propertyPlaceholderLocations = {"file:config/demo.properties", "file:config/application.properties"},
               properties = {
                       "camel.main.routes-include-pattern=file:routes/mcp.camel.yaml,file:routes/gateway.camel.yaml,"
                       + "file:routes/auth.camel.yaml,file:routes/observe.camel.yaml,file:kamelets/*.kamelet.yaml,"
                       + "classpath:test-routes/modern-only-backend.camel.yaml"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpModernBackendAttackTest {

    private static final int PORT = TestPorts.configureGateway();
    private static final ModernOnlyMcpServer M26 = TestBackends.start("test.m26.url", ModernOnlyMcpServer::new,
            ModernOnlyMcpServer::url);
    private static final String V = ModernRequest.VERSION;
    private static final String META = "\"io.modelcontextprotocol/protocolVersion\":\"" + V + "\","
            + "\"io.modelcontextprotocol/clientCapabilities\":{}";

    @AfterAll
    void stopBackend() throws Exception {
        M26.close();
    }

    private static String call(String meta, String arguments) {
        return "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"_meta\":{" + meta
               + "},\"name\":\"m26_locate\",\"arguments\":" + arguments + "}}";
    }

    /** A client with a session after listing the tools, so that the gateway knows their marks. */
    private McpHttp listed() {
        McpHttp c = new McpHttp(PORT);
        c.initialize(McpHttp.LATEST);
        assertEquals("m26_locate", c.call("tools/list", null).at("/result/tools/0/name").asText());
        return c;
    }

    /**
     * The envelope is the gateway's to write: a client with a session that puts keys of the 2026-07-28 envelope in
     * {@code _meta} itself (a log level it never set, anything else in that namespace) must not get them to the
     * backend; its own keys outside the namespace go on.
     */
    @Test
    void aClientCannotWriteTheEnvelopeItself() {
        McpHttp c = listed();
        HttpResponse<String> r = c.post(call("\"io.modelcontextprotocol/logLevel\":\"debug\","
                + "\"io.modelcontextprotocol/clientCapabilities\":{\"elicitation\":{}},"
                + "\"io.modelcontextprotocol/x-forged\":1,\"mine\":2", "{\"region\":\"eu\"}")
                .replace(META, "X"));
        assertEquals(200, r.statusCode(), r::body);
        JsonObject meta = M26.last("tools/call").body().getJsonObject("params").getJsonObject("_meta");
        assertNull(meta.getValue("io.modelcontextprotocol/logLevel"), meta::encode);
        assertNull(meta.getValue("io.modelcontextprotocol/x-forged"), meta::encode);
        assertEquals(new JsonObject(), meta.getJsonObject("io.modelcontextprotocol/clientCapabilities"));
        assertEquals(2, meta.getInteger("mine"));
    }

    /** A client's own Mcp-Param-* headers never reach the backend: the gateway sets them from the body. */
    @Test
    void aClientsParamHeadersAreNotForwarded() {
        McpHttp c = listed();
        HttpResponse<String> r = c.post(call("\"mine\":1", "{\"region\":\"eu\\r\\nX-Evil: 1\"}"),
                "Mcp-Param-Region", "us", "Mcp-Param-Evil", "yes", "Mcp-Param-Zone", "7");
        assertEquals(200, r.statusCode(), r::body);
        var headers = M26.last("tools/call").headers();
        assertEquals(java.util.List.of("=?base64?ZXUNClgtRXZpbDogMQ==?="), headers.getAll("Mcp-Param-Region"));
        assertFalse(headers.contains("Mcp-Param-Evil"));
        assertFalse(headers.contains("Mcp-Param-Zone"), "no zone in the body, so no header");
        assertFalse(headers.contains("X-Evil"));
    }

    /**
     * A number JSON can write but no header can carry (1e400 reads as infinity) in a marked argument: a 2026-07-28
     * client's is refused as its mistake (-32602); a client with a session checks no headers, so its call goes on
     * without one, for the backend to judge. Neither is a failure of the gateway (it was a 500).
     */
    @Test
    void anInfiniteNumberInAMarkedArgumentIsRefused() {
        listed();
        HttpResponse<String> modern = new McpHttp(PORT).post(call(META, "{\"zone\":1e400}"),
                "MCP-Protocol-Version", V, "Mcp-Method", "tools/call", "Mcp-Name", "m26_locate",
                "Mcp-Param-Zone", "Infinity");
        assertEquals(200, modern.statusCode(), modern::body);
        assertEquals(5, McpHttp.message(modern).get("id").asInt(), modern::body);
        assertEquals(JsonRpc.INVALID_PARAMS, McpHttp.message(modern).at("/error/code").asInt(), modern::body);
        HttpResponse<String> older = listed().post(call("\"mine\":1", "{\"zone\":1e400}"));
        assertEquals(200, older.statusCode(), older::body);
        assertEquals(5, McpHttp.message(older).get("id").asInt(), older::body);
        assertFalse(M26.last("tools/call").headers().contains("Mcp-Param-Zone"));
    }

    /**
     * A backend the gateway knows as one of MCP 2026-07-28 only that answers as a server of the older generation
     * again (a rollback) refuses server/discover: the gateway initializes it instead, in that same session, and does
     * not keep discovering it (it was left out of every session until the gateway restarted).
     */
    @Test
    void aBackendRolledBackToTheOlderGenerationIsInitializedAgain() {
        listed();
        M26.legacy(true);
        try {
            McpHttp c = new McpHttp(PORT);
            c.initialize(McpHttp.LATEST);
            assertEquals("m26_locate", c.call("tools/list", null).at("/result/tools/0/name").asText());
            assertEquals("2025-11-25", M26.last("tools/list").headers().get("MCP-Protocol-Version"),
                    "spoken to in the older generation's terms");
        } finally {
            M26.legacy(false);
        }
        assertEquals("m26_locate", listed().call("tools/list", null).at("/result/tools/0/name").asText(),
                "and discovered again once it speaks only 2026-07-28 again");
    }

    /**
     * What a session has that the 2026-07-28 generation lacks never reaches the backend: logging/setLevel is answered
     * by the gateway, notifications are taken, a GET finds no stream to merge and DELETE ends the session here.
     */
    @Test
    void sessionMessagesTheGenerationLacksStayAtTheGateway() {
        McpHttp c = listed();
        int before = M26.received().size();
        JsonNode level = c.call("logging/setLevel", "{\"level\":\"debug\"}");
        assertTrue(level.get("result").isEmpty(), level::toString);
        assertEquals(202, c.post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
                + "\"params\":{\"requestId\":1}}").statusCode());
        HttpResponse<String> get = c.send(c.request(null, "Accept", "text/event-stream").GET().build());
        assertEquals(405, get.statusCode(), get::body);
        HttpResponse<String> delete = c.send(c.request(null).DELETE().build());
        assertTrue(delete.statusCode() < 300, () -> delete.statusCode() + delete.body());
        assertEquals(before, M26.received().size(), () -> M26.received().subList(before, M26.received().size())
                .toString());
    }
}
