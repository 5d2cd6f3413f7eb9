package dev.caravan.mcp;

import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.caravan.CaravanConfiguration;
import dev.caravan.demo.DemoConfiguration;
import dev.caravan.support.McpHttp;
import dev.caravan.support.TestIssuer;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients of the sessionless MCP generation (2026-07-28) under the seed's strict policy
 * (test-routes/seed-auth.camel.yaml): the same token checks and the same rules as for clients with a session, per
 * request, though the gateway keeps the backend sessions for them.
 */
@CamelMainTest(configurationClasses = {CaravanConfiguration.class, DemoConfiguration.class},
               propertyPlaceholderLocations = {"file:config/demo.properties", "file:config/application.properties"},
               properties = {
                       "camel.main.routes-include-pattern=file:routes/mcp.camel.yaml,file:routes/gateway.camel.yaml,"
                       + "file:routes/mcp-backends.camel.yaml,file:kamelets/*.kamelet.yaml,"
                       + "classpath:test-routes/seed-auth.camel.yaml"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpModernAuthTest {

    private static final int PORT = TestPorts.configureGateway();
    private static final String RESOURCE = "http://127.0.0.1:" + PORT + "/mcp";
    private static final TestIssuer ISSUER = issuer();
    private static final String V = ModernRequest.VERSION;
    private static final String META = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"" + V + "\","
            + "\"io.modelcontextprotocol/clientCapabilities\":{},"
            + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"same-client\",\"version\":\"1\"}}";

    private static TestIssuer issuer() {
        TestIssuer issuer = new TestIssuer();
        System.setProperty("test.issuer", issuer.issuer());
        System.setProperty("test.jwks-url", issuer.jwksUrl());
        return issuer;
    }

    @AfterAll
    void stop() {
        ISSUER.close();
    }

    private static String token(String subject, List<String> groups) {
        Map<String, Object> claims = new HashMap<>(Map.of("email", subject + "@solo.io", "email_verified", true,
                "scope", "mcp", "groups", groups, "sub", subject));
        return ISSUER.token(RESOURCE, claims);
    }

    /** A request of the 2026-07-28 generation; {@code params} without braces, {@code name} for Mcp-Name or null. */
    private static HttpResponse<String> send(String token, String method, String params, String name,
                                             String... headers) {
        McpHttp http = token == null ? new McpHttp(PORT) : new McpHttp(PORT, token);
        String[] all = new String[headers.length + (name == null ? 4 : 6)];
        all[0] = "MCP-Protocol-Version";
        all[1] = V;
        all[2] = "Mcp-Method";
        all[3] = method;
        if (name != null) {
            all[4] = "Mcp-Name";
            all[5] = name;
        }
        System.arraycopy(headers, 0, all, all.length - headers.length, headers.length);
        return http.post("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"" + method + "\",\"params\":{" + META
                         + (params.isEmpty() ? "" : "," + params) + "}}", all);
    }

    private static List<String> tools(HttpResponse<String> listed) {
        assertEquals(200, listed.statusCode(), listed::body);
        return McpHttp.message(listed).at("/result/tools").findValuesAsText("name").stream()
                .filter(n -> n.contains("_")).toList();
    }

    private static void assertDenied(HttpResponse<String> r, String what) {
        assertEquals(403, r.statusCode(), r::body);
        JsonNode error = McpHttp.message(r);
        assertEquals(9, error.get("id").asInt(), r::body);
        assertEquals("Forbidden: mcp-access does not allow " + what, error.at("/error/message").asText());
    }

    @Test
    void withoutATokenNothingIsInitialized() {
        HttpResponse<String> r = send(null, "tools/list", "", null);
        assertEquals(401, r.statusCode(), r::body);
        assertEquals(9, McpHttp.message(r).get("id").asInt());
        assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer "));
    }

    /**
     * Two callers with the same client and capabilities get the gateway sessions of their own, and each sees and
     * calls only what the rules allow them, whichever of them came first.
     */
    @Test
    void theRulesHideAndRefuseAsForClientsWithASession() {
        String support = token("alice", List.of("support"));
        String outsider = token("bob", List.of("sales"));
        assertEquals(List.of("knowledge-base_search_docs", "slack-conversations_search_messages",
                "slack-conversations_summarize_channel"), tools(send(support, "tools/list", "", null)));
        assertEquals(List.of("knowledge-base_search_docs"), tools(send(outsider, "tools/list", "", null)));

        String slack = "slack-conversations_search_messages";
        String call = "\"name\":\"" + slack + "\",\"arguments\":{\"query\":\"x\"}";
        assertEquals(200, send(support, "tools/call", call, slack).statusCode());
        assertDenied(send(outsider, "tools/call", call, slack), "tool " + slack);
        String docs = "knowledge-base_search_docs";
        assertDenied(send(outsider, "tools/call", "\"name\":\"" + docs + "\",\"arguments\":{\"query\":\"x\","
                                                  + "\"product\":\"istio\"}", docs), "tool " + docs);
        String uri = "knowledge-base+docs://gloo-gateway/timeouts";
        assertDenied(send(outsider, "resources/read", "\"uri\":\"" + uri + "\"", uri), "resource " + uri);
        // a rule on a request header reads the header of this request
        assertEquals(200, send(outsider, "resources/read", "\"uri\":\"" + uri + "\"", uri, "X-Team", "docs")
                .statusCode());
        assertDenied(send(outsider, "prompts/get", "\"name\":\"knowledge-base_answer_question\","
                + "\"arguments\":{\"question\":\"q\"}", "knowledge-base_answer_question"),
                "prompt knowledge-base_answer_question");
    }
}
