package dev.caravan.mcp;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.caravan.CaravanConfiguration;
import dev.caravan.demo.DemoConfiguration;
import dev.caravan.support.AccessLogLines;
import dev.caravan.support.DemoTokens;
import dev.caravan.support.McpHttp;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The virtual MCP server over the two demo backends, exactly as configured in routes/ and config/, driven over HTTP.
 */
@CamelMainTest(configurationClasses = {CaravanConfiguration.class, DemoConfiguration.class},
               propertyPlaceholderLocations = {"file:config/demo.properties", "file:config/application.properties"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpGatewayTest {

    private static final int PORT = TestPorts.configureGateway();

    private McpHttp client() {
        McpHttp c = new McpHttp(PORT);
        c.initialize(McpHttp.LATEST);
        return c;
    }

    private static List<String> names(JsonNode list, String field) {
        return StreamSupport.stream(list.spliterator(), false).map(n -> n.get(field).asText()).toList();
    }

    @Test
    void initializeMergesBackendsAndOpensAGatewaySession() {
        McpHttp c = new McpHttp(PORT);
        JsonNode result = c.initialize(McpHttp.LATEST);
        assertEquals(McpHttp.LATEST, result.get("protocolVersion").asText());
        assertEquals("caravan", result.at("/serverInfo/name").asText());
        JsonNode caps = result.get("capabilities");
        assertTrue(caps.has("tools") && caps.has("prompts") && caps.has("resources") && caps.has("logging"), caps::toString);
        assertTrue(result.get("instructions").asText().contains("## knowledge-base"));
        assertTrue(result.get("instructions").asText().contains("## slack-conversations"));
        assertNotNull(c.sessionId());
    }

    @ParameterizedTest
    @CsvSource({"2025-06-18,2025-06-18", "2025-03-26,2025-03-26", "2099-01-01,2025-11-25"})
    void protocolVersionIsNegotiated(String requested, String expected) {
        assertEquals(expected, new McpHttp(PORT).initialize(requested).get("protocolVersion").asText());
    }

    @Test
    void listsAreMergedAndQualifiedInDeclarationOrder() {
        McpHttp c = client();
        assertEquals(List.of("knowledge-base_search_docs", "slack-conversations_search_messages",
                        "slack-conversations_summarize_channel"),
                names(c.call("tools/list", null).at("/result/tools"), "name"));
        // only knowledge-base declares prompts and resources, so slack-conversations is not asked for them
        assertEquals(List.of("knowledge-base_answer_question"),
                names(c.call("prompts/list", null).at("/result/prompts"), "name"));
        List<String> uris = names(c.call("resources/list", null).at("/result/resources"), "uri");
        assertEquals(8, uris.size());
        assertTrue(uris.stream().allMatch(u -> u.startsWith("knowledge-base+docs://")), uris::toString);
        assertEquals(List.of("knowledge-base+docs://{product}/{slug}"),
                names(c.call("resources/templates/list", null).at("/result/resourceTemplates"), "uriTemplate"));
    }

    @Test
    void callsReachTheOwningBackendAndUrisRoundTrip() {
        McpHttp c = client();
        JsonNode result = c.call("tools/call", "{\"name\":\"knowledge-base_search_docs\","
                                               + "\"arguments\":{\"query\":\"timeouts\",\"product\":\"gloo-gateway\"}}")
                .get("result");
        assertTrue(result.at("/content/0/text").asText().contains("Request and backend timeouts"));
        String link = result.at("/content/1/uri").asText();
        assertEquals("knowledge-base+docs://gloo-gateway/timeouts", link);
        JsonNode read = c.call("resources/read", "{\"uri\":\"" + link + "\"}").get("result");
        assertEquals(link, read.at("/contents/0/uri").asText());
        assertTrue(read.at("/contents/0/text").asText().startsWith("# Request and backend timeouts"));

        JsonNode prompt = c.call("prompts/get", "{\"name\":\"knowledge-base_answer_question\","
                                                + "\"arguments\":{\"question\":\"what is kagent?\"}}").get("result");
        assertTrue(prompt.at("/messages/0/content/text").asText().contains("what is kagent?"));

        JsonNode slack = c.call("tools/call", "{\"name\":\"slack-conversations_search_messages\","
                                              + "\"arguments\":{\"query\":\"Grafana\"}}").get("result");
        assertTrue(slack.at("/content/0/text").asText().contains("Grafana dashboard"), slack::toString);
    }

    @Test
    void progressStreamsWhileTheToolRuns() {
        McpHttp c = client();
        List<McpHttp.TimedData> events = c.stream("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{"
                                                  + "\"name\":\"slack-conversations_summarize_channel\","
                                                  + "\"arguments\":{\"channel\":\"support\",\"steps\":4,\"stepMillis\":300},"
                                                  + "\"_meta\":{\"progressToken\":\"t-1\"}}}");
        List<McpHttp.TimedData> progress = events.stream()
                .filter(e -> "notifications/progress".equals(e.message().path("method").asText())).toList();
        assertEquals(4, progress.size(), events::toString);
        assertEquals("t-1", progress.get(0).message().at("/params/progressToken").asText());
        McpHttp.TimedData last = events.get(events.size() - 1);
        assertEquals(7, last.message().get("id").asInt());
        assertTrue(last.message().at("/result/content/0/text").asText().startsWith("#support"));
        // the first progress event arrived while three more steps were still to run (~900 ms), not with the result
        long aheadMillis = (last.nanos() - progress.get(0).nanos()) / 1_000_000;
        assertTrue(aheadMillis >= 600, "first progress only " + aheadMillis + " ms before the result");
    }

    @Test
    void gatewayAnswersPingAndRefusesUnknownMethodsAndTools() {
        McpHttp c = client();
        assertEquals(JsonRpc.object(), c.call("ping", null).get("result"));
        assertEquals(JsonRpc.METHOD_NOT_FOUND, c.call("sampling/whatever", null).at("/error/code").asInt());
        JsonNode unknownTool = c.call("tools/call", "{\"name\":\"nobody_tool\",\"arguments\":{}}");
        assertEquals(JsonRpc.INVALID_PARAMS, unknownTool.at("/error/code").asInt());
        assertEquals(1, unknownTool.get("id").asInt());
        assertEquals(JsonRpc.INVALID_PARAMS,
                c.call("resources/read", "{\"uri\":\"docs://no-prefix\"}").at("/error/code").asInt());
        assertEquals(JsonRpc.INVALID_PARAMS, c.call("tools/call", null).at("/error/code").asInt());
        // a backend's own JSON-RPC error reaches the client as it was sent
        JsonNode missing = c.call("resources/read", "{\"uri\":\"knowledge-base+docs://nope/nope\"}");
        assertEquals(1, missing.get("id").asInt());
        assertEquals(-32002, missing.at("/error/code").asInt(), missing::toString);
    }

    @Test
    void resourceSubscriptionsAreNeitherAdvertisedNorForwardedWhereNoBackendTakesThem() {
        McpHttp c = new McpHttp(PORT);
        // the demo's servers take no subscriptions
        assertFalse(c.initialize(McpHttp.LATEST).at("/capabilities/resources/subscribe").asBoolean());
        JsonNode refused = c.call("resources/subscribe", "{\"uri\":\"knowledge-base+docs://kagent/tool-servers\"}");
        assertEquals(JsonRpc.INVALID_PARAMS, refused.at("/error/code").asInt(), refused::toString);
        assertTrue(refused.at("/error/message").asText().contains("does not take resources/subscribe"), refused::toString);
    }

    @Test
    void aNotificationNamedLikeARequestIsANotification() {
        // "initialize" without an id asks for nothing: it opens no session and gets no answer body
        McpHttp fresh = new McpHttp(PORT);
        HttpResponse<String> unbound = fresh.post("{\"jsonrpc\":\"2.0\",\"method\":\"initialize\",\"params\":{"
                                                  + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                                                  + "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
        assertEquals(400, unbound.statusCode(), unbound::body);
        assertTrue(unbound.headers().firstValue("Mcp-Session-Id").isEmpty(), "no session was opened");
        HttpResponse<String> inSession = client().post("{\"jsonrpc\":\"2.0\",\"method\":\"initialize\"}");
        assertEquals(202, inSession.statusCode(), inSession::body);
        assertEquals("", inSession.body());
    }

    @Test
    void notificationsAndClientResponsesAreAccepted() {
        McpHttp c = client();
        HttpResponse<String> note = c.post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/roots/list_changed\"}");
        assertEquals(202, note.statusCode());
        assertEquals("", note.body());
        // an answer to a request no backend sent through this gateway
        assertEquals(400, c.post("{\"jsonrpc\":\"2.0\",\"id\":99,\"result\":{}}").statusCode());
        assertEquals(JsonRpc.object(), c.call("logging/setLevel", "{\"level\":\"info\"}").get("result"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // case | content type | accept | extra header | value | body | status | code
            "not JSON|application/json|application/json, text/event-stream|||{oops|400|-32700",
            "not JSON-RPC|application/json|application/json, text/event-stream|||{\"id\":1}|400|-32600",
            "batch|application/json|application/json, text/event-stream|||[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]|400|-32600",
            "empty body|application/json|application/json, text/event-stream||||400|-32700",
            "no SSE in Accept|application/json|application/json|||{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}|406|-32000",
            "no JSON in Accept|application/json|text/event-stream|||{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}|406|-32000",
            "form body|application/x-www-form-urlencoded|application/json, text/event-stream|||a=b|415|-32000",
            "text body|text/plain|application/json, text/event-stream|||{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}|415|-32000",
            "bad version|application/json|application/json, text/event-stream|MCP-Protocol-Version|1999-01-01|{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}|400|-32000",
            "foreign origin|application/json|application/json, text/event-stream|Origin|https://evil.example|{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}|403|-32000",
            "unknown session|application/json|application/json, text/event-stream|Mcp-Session-Id|forged|{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}|404|-32000"})
    void badInputGetsTheRightStatusAndAJsonRpcError(String name, String contentType, String accept, String header,
                                                     String value, String body, int status, int code)
            throws InterruptedException {
        McpHttp c = client();
        AccessLogLines access = AccessLogLines.collect();
        var request = c.request(body == null ? "" : body, "Content-Type", contentType, "Accept", accept);
        if (header != null) {
            request.setHeader(header, value);
        }
        HttpResponse<String> r = c.send(request.build());
        assertEquals(status, r.statusCode(), r::body);
        assertEquals(code, McpHttp.message(r).at("/error/code").asInt(), r::body);
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        // refused before its context knew more than when it arrived, and recorded all the same
        JsonNode line = access.await(l -> "mcp".equals(l.path("kind").asText()) && l.path("status").asInt() == status);
        assertEquals(code, line.path("rpc_error").asInt(), line::toString);
        assertTrue(line.path("duration_ms").asDouble() > 0, line::toString);
        assertTrue(r.body().contains(line.path("error").asText("-")), line::toString);
    }

    @Test
    void sessionRulesAndTransportEdges() {
        McpHttp anonymous = new McpHttp(PORT);
        HttpResponse<String> noSession = anonymous.post("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}");
        assertEquals(400, noSession.statusCode());
        assertEquals(3, McpHttp.message(noSession).get("id").asInt());

        McpHttp c = client();
        HttpResponse<String> get = c.send(c.request(null, "Accept", "application/json").GET().build());
        assertEquals(406, get.statusCode());
        assertEquals(405, c.send(c.request(null).PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
                .build()).statusCode());
        HttpResponse<String> big = c.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\""
                                          + "x".repeat(33 * 1024 * 1024) + "\"}}");
        assertEquals(413, big.statusCode());
        assertEquals(-32600, McpHttp.message(big).at("/error/code").asInt());

        HttpResponse<String> end = c.send(c.request(null).DELETE().build());
        assertEquals(200, end.statusCode());
        assertEquals(404, c.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}").statusCode());
    }

    @Test
    void getOpensTheMergedServerToClientStream() throws Exception {
        McpHttp c = client();
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", PORT)) {
            socket.getOutputStream().write(("GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                                            + "Mcp-Session-Id: " + c.sessionId() + "\r\n\r\n").getBytes());
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                    socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
            socket.setSoTimeout(5000);
            assertEquals("HTTP/1.1 200 OK", in.readLine());
            java.util.List<String> head = new java.util.ArrayList<>();
            for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
                head.add(line.toLowerCase());
            }
            assertTrue(head.contains("content-type: text/event-stream"), head::toString);
            assertTrue(head.contains("mcp-session-id: " + c.sessionId().toLowerCase()), head::toString);
        }
    }

    @Test
    void theDemoAcceptsDemoTokensAndAnonymousCallersButNoBadToken() throws Exception {
        McpHttp alice = new McpHttp(PORT, DemoTokens.token("email=alice@example.com"));
        alice.initialize(McpHttp.LATEST);
        assertEquals(3, alice.call("tools/list", null).at("/result/tools").size());
        // the session belongs to alice: without her token it is someone else's
        McpHttp anonymous = new McpHttp(PORT);
        anonymous.sessionId(alice.sessionId());
        assertEquals(404, anonymous.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}").statusCode());

        HttpResponse<String> bad = new McpHttp(PORT, "not-a-token").post("{\"jsonrpc\":\"2.0\",\"id\":1,"
                + "\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
        assertEquals(401, bad.statusCode());
        assertTrue(bad.headers().firstValue("WWW-Authenticate").orElse("")
                .contains("/.well-known/oauth-protected-resource/mcp\""), bad.headers()::toString);
        // the demo rule: a token's email must be verified
        McpHttp unverified = new McpHttp(PORT, DemoTokens.token("email=eve@example.com&email_verified=false"));
        assertEquals(403, unverified.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}").statusCode());
    }

    @Test
    void noInternalOrHopByHopHeadersReachTheClient() throws Exception {
        McpHttp c = new McpHttp(PORT, DemoTokens.token("email=dev@example.com"));
        c.initialize(McpHttp.LATEST);
        HttpResponse<String> r = c.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{"
                                        + "\"name\":\"knowledge-base_search_docs\",\"arguments\":{\"query\":\"kagent\"}}}",
                "X-Debug", "1");
        assertEquals(200, r.statusCode());
        for (String name : r.headers().map().keySet()) {
            String lower = name.toLowerCase();
            assertFalse(lower.startsWith("camel") || lower.equals("authorization") || lower.equals("x-debug")
                        || lower.equals("accept"), "leaked header " + name);
        }
        assertEquals(c.sessionId(), r.headers().firstValue("Mcp-Session-Id").orElse(null));
    }
}
