package dev.caravan.edge;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import org.apache.camel.BeanInject;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.caravan.CaravanConfiguration;
import dev.caravan.demo.DemoConfiguration;
import dev.caravan.demo.StubLlmProvider;
import dev.caravan.mcp.JsonRpc;
import dev.caravan.support.DemoTokens;
import dev.caravan.support.Http;
import dev.caravan.support.McpHttp;
import dev.caravan.support.ScriptedMcpServer;
import dev.caravan.support.StubRequests;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's edge against hostile input, over real HTTP with the shipped routes, strict authentication and a small
 * body limit: the query string is no source of headers; an upstream gets only allow-listed parts of the client's
 * request; control characters, unserved Vertex AI actions and sub-paths, and malformed UTF-8 are refused at once and
 * never reach a provider or backend; and every refusal speaks the API of its path. What reached upstream is read from
 * the stub provider's and a scripted MCP backend's records.
 */
@CamelMainTest(configurationClasses = {CaravanConfiguration.class, DemoConfiguration.class},
               propertyPlaceholderLocations = {"file:config/demo.properties", "file:config/application.properties"},
               properties = {
                       "camel.main.routes-include-pattern=file:routes/*.camel.yaml,file:kamelets/*.kamelet.yaml,"
                       + "classpath:test-routes/edge-backends.camel.yaml",
                       "caravan.auth.mode=strict",
                       "camel.server.max-body-size=65536" })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EdgeGatewayTest {

    private static final int PORT = TestPorts.configureGateway();
    private static final ScriptedMcpServer SCRIPTED = EdgeSupport.scriptedBackend();
    private static final String BASE = "http://127.0.0.1:" + PORT;
    private static final RawHttp RAW = new RawHttp(PORT);
    private static final String VERTEX = "/v1/projects/agents-own/locations/europe-west4/publishers/";
    private static final String ANTHROPIC_BODY = "{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":8,"
                                                 + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
                                             + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                                             + "\"clientInfo\":{\"name\":\"edge\",\"version\":\"1\"}}}";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private String token;

    @BeanInject
    StubLlmProvider stub;

    @AfterAll
    void stopScripted() throws Exception {
        SCRIPTED.close();
    }

    /** A token of the demo issuer (fetched once the gateway, and so the issuer, runs). */
    private String token() {
        if (token == null) {
            token = DemoTokens.token("email=edge@solo.io");
        }
        return token;
    }

    private HttpRequest.Builder request(String pathAndQuery, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(BASE + pathAndQuery)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b;
    }

    private HttpResponse<String> post(String pathAndQuery, String body, String... headers) {
        return Http.send(http, request(pathAndQuery, headers).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postBytes(String pathAndQuery, byte[] body, String... headers) {
        return Http.send(http, request(pathAndQuery, headers).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private String[] authorized(String... headers) {
        List<String> all = new ArrayList<>(List.of("Content-Type", "application/json", "Authorization",
                "Bearer " + token()));
        all.addAll(List.of(headers));
        return all.toArray(String[]::new);
    }

    private String[] mcp(String sessionId, String... headers) {
        List<String> all = new ArrayList<>(List.of(authorized("Accept", "application/json, text/event-stream")));
        if (sessionId != null) {
            all.addAll(List.of("Mcp-Session-Id", sessionId));
        }
        all.addAll(List.of(headers));
        return all.toArray(String[]::new);
    }

    private String mcpSession() {
        HttpResponse<String> r = post("/mcp", INITIALIZE, mcp(null));
        assertEquals(200, r.statusCode(), r.body());
        return r.headers().firstValue("Mcp-Session-Id").orElseThrow();
    }

    private StubLlmProvider.Received lastTo(String pathPart) {
        return StubRequests.lastTo(stub, pathPart);
    }

    private static void assertNoGatewayInternals(MultiMap headers) {
        headers.names().forEach(name -> {
            assertFalse(name.toLowerCase(Locale.ROOT).startsWith("camel"), () -> "forwarded " + name);
            assertFalse(name.contains("*"), () -> "forwarded " + name);
        });
    }

    @Test
    void queryParametersAreNoHeadersAndOnlyAllowListedHeadersReachAProvider() {
        HttpResponse<String> r = post(VERTEX + "anthropic/models/claude-sonnet:rawPredict?x-org=engineering"
                                      + "&x-goog-user-project=evil&anthropic-beta=from-the-query&x-api-key=k",
                ANTHROPIC_BODY, authorized("x-evil", "1", "anthropic-beta", "tools-2024-04-04"));
        assertEquals(200, r.statusCode(), r.body());
        StubLlmProvider.Received sent = lastTo("/models/claude-sonnet-4-6@20260101:rawPredict");
        // ?x-org did not pick the engineering project: no org header means the shared one
        assertTrue(sent.path().startsWith("/v1/projects/solo-shared-llm/"), sent.path());
        assertFalse(sent.path().contains("?"), "no query parameter is forwarded: " + sent.path());
        assertNull(sent.headers().get("x-goog-user-project"));
        assertNull(sent.headers().get("x-evil"));
        assertNull(sent.headers().get("x-org"));
        assertNull(sent.headers().get("x-api-key"));
        assertEquals(List.of("tools-2024-04-04"), sent.headers().getAll("anthropic-beta"));
        assertTrue(sent.headers().get("Authorization").startsWith("Bearer ya29.stub-"), "the provider's own token");
        assertNoGatewayInternals(sent.headers());
    }

    @Test
    void aTokenInTheQueryStringAuthenticatesNobodyAndGoesNowhere() {
        String query = "?Authorization=" + URLEncoder.encode("Bearer " + token(), StandardCharsets.UTF_8)
                       + "&x-api-key=" + token();
        HttpResponse<String> llm = post("/v1/chat/completions" + query, "{\"model\":\"gpt-4o\",\"messages\":[]}",
                "Content-Type", "application/json");
        assertEquals(401, llm.statusCode(), llm.body());
        EdgeSupport.assertShape("openai", 401, llm.body());
        HttpResponse<String> mcp = post("/mcp" + query, INITIALIZE, "Content-Type", "application/json", "Accept",
                "application/json, text/event-stream");
        assertEquals(401, mcp.statusCode(), mcp.body());
        EdgeSupport.assertShape("mcp", 401, mcp.body());
        for (StubLlmProvider.Received sent : stub.requests()) {
            assertFalse(sent.path().contains(token()), "the token reached the provider in its URL");
            sent.headers().forEach(h -> assertFalse(h.getValue().contains(token()), "the token reached the provider"));
        }
    }

    @Test
    void mcpTransportHeadersComeOnlyFromTheRequestAndABackendGetsOnlyTheGatewaysOwn() {
        String session = mcpSession();
        String call = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"ok_probe\"}}";
        // the session id in the query string is no session id
        HttpResponse<String> noSession = post("/mcp?Mcp-Session-Id=" + URLEncoder.encode(session,
                StandardCharsets.UTF_8), call, mcp(null));
        assertEquals(400, noSession.statusCode(), noSession.body());
        assertTrue(noSession.body().contains("Mcp-Session-Id header is required"), noSession.body());
        // a protocol version in the query string is not checked (nor used): the header's is
        HttpResponse<String> r = post("/mcp?MCP-Protocol-Version=1999-01-01&x-evil-query=1&Authorization=x", call,
                mcp(session, "x-evil", "1", "Cookie", "c=1"));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("ok probe", McpHttp.message(r).at("/result/content/0/text").asText());
        MultiMap got = SCRIPTED.okHeaders().get(SCRIPTED.okHeaders().size() - 1);
        assertNull(got.get("x-evil"));
        assertNull(got.get("x-evil-query"));
        assertNull(got.get("Cookie"));
        assertNull(got.get("Authorization"));
        assertEquals("s3cret", got.get("X-Backend-Key"));
        assertEquals("2025-11-25", got.get("MCP-Protocol-Version"));
        assertNoGatewayInternals(got);
    }

    /**
     * What a client sends never comes back as an answer header, whatever the answer; and an answer the gateway built
     * itself goes out whole, with its Content-Length, not chunked.
     */
    @Test
    void noRequestHeaderNorQueryParameterComesBackAndTheGatewaysOwnAnswersCarryTheirLength() throws Exception {
        String session = mcpSession();
        String echo = "?x-echo-query=1&Content-Type=text%2Fhtml&Set-Cookie=a%3D1&Location=%2Fevil";
        String call = "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\",\"params\":{\"name\":\"ok_probe\"}}";
        String initialized = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
        String message = "{\"model\":\"claude-sonnet\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\","
                         + "\"content\":\"hi\"}]}";
        record Asked(String what, String method, String target, String[] headers, String body, int status,
                     boolean gatewayBuilt) {
        }
        List<Asked> asked = List.of(
                new Asked("MCP JSON answer", "POST", "/mcp" + echo, mcp(session), call, 200, true),
                new Asked("MCP 202", "POST", "/mcp" + echo, mcp(session), initialized, 202, true),
                new Asked("MCP 401", "POST", "/mcp" + echo, new String[] {"Content-Type", "application/json",
                        "Accept", "application/json, text/event-stream"}, INITIALIZE, 401, true),
                new Asked("LLM JSON answer", "POST", "/v1/messages" + echo, authorized("anthropic-version",
                        "2023-06-01"), message, 200, false),
                new Asked("LLM error", "POST", "/v1/messages" + echo, authorized(), "{oops", 400, true),
                new Asked("resource metadata", "GET", "/.well-known/oauth-protected-resource/mcp" + echo,
                        new String[0], "", 200, true));
        for (Asked a : asked) {
            MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("X-Echo", "from-the-header")
                    .add("Cookie", "c=1");
            for (int i = 0; i < a.headers().length; i += 2) {
                headers.add(a.headers()[i], a.headers()[i + 1]);
            }
            RawHttp.Answer answer = RAW.send(a.method(), a.target(), headers, Buffer.buffer(a.body()),
                    Duration.ofSeconds(10));
            assertEquals(a.status(), answer.status(), a.what() + ": " + answer.text());
            MultiMap got = answer.headers();
            got.names().forEach(name -> assertFalse(name.toLowerCase(Locale.ROOT).contains("echo")
                                                    || name.toLowerCase(Locale.ROOT).startsWith("camel"),
                    () -> a.what() + " answered with header " + name));
            assertNull(got.get("Set-Cookie"), a.what());
            assertNull(got.get("Location"), a.what());
            assertFalse(got.getAll("Content-Type").contains("text/html"), a.what());
            assertEquals(1, got.getAll("Content-Type").size() + (a.status() == 202 ? 1 : 0),
                    a.what() + ": " + got.getAll("Content-Type"));
            if (a.gatewayBuilt()) {
                assertNull(got.get("Transfer-Encoding"), a.what() + " was chunked");
                assertEquals(String.valueOf(answer.body().length()), got.get("Content-Length"), a.what());
            }
            if (a.status() == 401) {
                assertTrue(got.get("WWW-Authenticate").startsWith("Bearer resource_metadata="), a.what());
            }
        }
    }

    @Test
    void allowListedQueryParametersAndHeadersStillReachTheProvider() {
        HttpResponse<String> gemini = post(VERTEX + "google/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
                                           + "&key=secret", "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":"
                                                            + "\"hi\"}]}]}", authorized());
        assertEquals(200, gemini.statusCode(), gemini.body());
        assertTrue(gemini.body().startsWith("data: "), "alt=sse reached the provider: " + gemini.body());
        assertTrue(lastTo(":streamGenerateContent").path().endsWith(":streamGenerateContent?alt=sse"));

        HttpResponse<String> beta = post("/v1/messages?beta=true&x=1", "{\"model\":\"claude-sonnet\",\"max_tokens\":8,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", authorized("anthropic-version",
                "2023-06-01", "anthropic-beta", "a, b"));
        assertEquals(200, beta.statusCode(), beta.body());
        StubLlmProvider.Received sent = lastTo("/v1/messages");
        assertEquals("/v1/messages?beta=true", sent.path());
        assertEquals("2023-06-01", sent.headers().get("anthropic-version"));
        assertEquals("a, b", sent.headers().get("anthropic-beta"));
        assertTrue(sent.headers().get("Content-Type").startsWith("application/json"));
    }

    @Test
    void controlCharactersAreRefusedAtOnceAndHoldNoUpstreamConnection() throws Exception {
        List<StubLlmProvider.Received> before = stub.requests();
        String[] bad = {
                VERTEX + "anthropic/models/claude%00sonnet:rawPredict",
                VERTEX + "google/models/gemini%0A2:generateContent",
                VERTEX + "anthropic/models/claude-sonnet:streamRawPredict?x=%0A",
                VERTEX + "google/models/gemini-2.5-flash:streamGenerateContent?alt=%00",
                "/v1/messages?beta=%0D%0Ax",
                "/v1/chat/completions?q=a%00b"};
        Semaphore inFlight = new Semaphore(50);
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<?>> all = new ArrayList<>();
        String[] headers = authorized();
        for (int i = 0; i < 2000 && wrong.isEmpty(); i++) {
            String path = bad[i % bad.length];
            inFlight.acquire();
            all.add(http.sendAsync(request(path, headers).timeout(Duration.ofSeconds(5))
                            .POST(HttpRequest.BodyPublishers.ofString(ANTHROPIC_BODY)).build(),
                    HttpResponse.BodyHandlers.ofString()).whenComplete((r, failure) -> {
                        inFlight.release();
                        if (failure != null) {
                            wrong.add(path + ": " + failure);
                        } else if (r.statusCode() != 400) {
                            wrong.add(path + ": " + r.statusCode() + " " + r.body());
                        }
                    }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((v, t) -> null).get(60, TimeUnit.SECONDS);
        assertTrue(wrong.isEmpty(), () -> wrong.size() + " requests were not refused at once, e.g. "
                                           + wrong.stream().limit(3).toList());
        assertEquals(before, stub.requests(), "an invalid request reached the provider");
        long start = System.nanoTime();
        HttpResponse<String> valid = Http.send(http, request(VERTEX + "anthropic/models/claude-sonnet:rawPredict",
                authorized()).timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString(ANTHROPIC_BODY))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, valid.statusCode(), valid.body());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
    }

    /**
     * Models that do not decode to printable text (400), and Vertex AI actions or publishers and sub-paths of the
     * listeners no provider serves (404): refused in the path's API format, no provider called.
     */
    @ParameterizedTest
    @CsvSource({
            "POST, {vertex}anthropic/models/claude%C0%AFsonnet:rawPredict, 400, anthropic",
            "POST, {vertex}anthropic/models/claude%ED%A0%80sonnet:rawPredict, 400, anthropic",
            "POST, {vertex}anthropic/models/claude%E2%80%AEsonnet:rawPredict, 400, anthropic",
            "POST, {vertex}anthropic/models/claude%7Fsonnet:rawPredict, 400, anthropic",
            "POST, {vertex}anthropic/models/claude%C2%85sonnet:rawPredict, 400, anthropic",
            "POST, {vertex}google/models/gemini%F0%9F%98:generateContent, 400, google",
            "POST, {vertex}anthropic/models/..%2F..%2Fx:rawPredict, 400, anthropic",
            "POST, {vertex}anthropic/models/%2e%2e:rawPredict, 400, anthropic",
            "POST, {vertex}anthropic/models/claude%3Fx%23y:rawPredict, 400, anthropic",
            "POST, {vertex}anthropic/models/claude%25sonnet:rawPredict, 400, anthropic",
            "POST, {vertex}anthropic/models/count-tokens:streamRawPredict, 404, anthropic",
            "POST, {vertex}anthropic/models/claude-sonnet:deleteEverything, 404, anthropic",
            "POST, {vertex}anthropic/models/claude-sonnet:predict, 404, anthropic",
            "POST, {vertex}anthropic/models/claude-sonnet:generateContent, 404, anthropic",
            "POST, {vertex}google/models/gemini-2.5-flash:deleteEverything, 404, google",
            "POST, {vertex}google/models/gemini-2.5-flash:rawPredict, 404, google",
            "POST, {vertex}google/models/gemini-2.5-flash:generateContent/x, 404, google",
            "POST, {vertex}meta/models/llama:rawPredict, 404, google",
            "POST, /v1/messages/batches, 404, anthropic",
            "POST, /v1/messages/count_tokens, 404, anthropic",
            "POST, /v1/chat/completions/x, 404, openai",
            "POST, /v1/responses/resp_1/cancel, 404, openai",
            "GET, /v1/models/gpt-4o, 404, openai",
            "POST, /v1/embeddings, 404, openai",
            "POST, /mcp/x, 404, mcp"})
    void requestsNoProviderShouldSeeAreRefused(String method, String path, int status, String api) {
        List<StubLlmProvider.Received> before = stub.requests();
        HttpResponse<String> r = Http.send(http, request(path.replace("{vertex}", VERTEX), authorized())
                .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(ANTHROPIC_BODY)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(status, r.statusCode(), r.body());
        EdgeSupport.assertShape(api, status, r.body());
        assertEquals(before, stub.requests(), path + " reached the provider");
    }

    @Test
    void vertexAnthropicCountTokensKeepsItsPathAndTakesTheModelFromTheBody() {
        HttpResponse<String> r = post(VERTEX + "anthropic/models/count-tokens:rawPredict", "{\"model\":"
                + "\"claude-sonnet\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", authorized());
        assertEquals(200, r.statusCode(), r.body());
        StubLlmProvider.Received sent = lastTo("/models/count-tokens:rawPredict");
        assertTrue(sent.path().startsWith("/v1/projects/solo-shared-llm/"), sent.path());
        // the alias is resolved in the body, where this endpoint has its model
        assertEquals("claude-sonnet-4-6@20260101", sent.body().getString("model"));
    }

    @ParameterizedTest
    @CsvSource({
            "overlong slash, C0AF",
            "overlong slash in three bytes, E080AF",
            "lone high surrogate, EDA080",
            "lone low surrogate, EDBFBF",
            "truncated two-byte, C3",
            "truncated four-byte, F09F98",
            "five-byte form, F888808080",
            "six-byte form, FC8480808080",
            "above U+10FFFF, F4908080",
            "stray continuation byte, 80"})
    void malformedUtf8IsRefusedNotRepaired(String what, String hex) {
        byte[] bad = hexBytes(hex);
        List<StubLlmProvider.Received> before = stub.requests();
        HttpResponse<String> llm = postBytes("/v1/messages", json("{\"model\":\"claude-sonnet\",\"max_tokens\":8,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"a", bad, "b\"}]}"), authorized());
        assertEquals(400, llm.statusCode(), what + ": " + llm.body());
        EdgeSupport.assertShape("anthropic", 400, llm.body());
        assertEquals(before, stub.requests(), what + " reached the provider");

        String session = mcpSession();
        int reached = SCRIPTED.okHeaders().size();
        HttpResponse<String> mcp = postBytes("/mcp", json("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\","
                + "\"params\":{\"name\":\"ok_probe\",\"arguments\":{\"path\":\"..", bad, "etc\"}}}"), mcp(session));
        assertEquals(400, mcp.statusCode(), what + ": " + mcp.body());
        assertEquals(JsonRpc.PARSE_ERROR, McpHttp.message(mcp).at("/error/code").asInt(), mcp.body());
        assertEquals(reached, SCRIPTED.okHeaders().size(), what + " reached the backend");
    }

    /**
     * Bodies the gateway could read otherwise than a provider would: a repeated key (which "model" counts?), UTF-16 or
     * UTF-32 (NULs, or a charset, that Jackson would silently follow), a byte order mark, a model with a control
     * character; and a header value with raw bytes above ASCII. Refused, no provider called.
     */
    @Test
    void bodiesReadOneWayByTheGatewayAndAnotherByAProviderAreRefused() throws Exception {
        String ok = "\"model\":\"claude-haiku-4-5\",\"max_tokens\":8,\"messages\":[]";
        // what, Content-Type values, body, its charset, the status
        List<List<String>> cases = List.of(
                List.of("repeated model", "application/json", "{\"model\":\"claude-opus-4-7\"," + ok + "}", "UTF-8",
                        "400"),
                List.of("repeated nested key", "application/json",
                        "{" + ok + ",\"metadata\":{\"user_id\":\"a\",\"user_id\":\"b\"}}", "UTF-8", "400"),
                List.of("UTF-16 by charset", "application/json; charset=utf-16le", "{}", "UTF-16LE", "415"),
                List.of("UTF-16 without charset", "application/json", "{" + ok + "}", "UTF-16LE", "400"),
                List.of("byte order mark", "application/json", "\uFEFF{" + ok + "}", "UTF-8", "400"),
                List.of("model with a NUL escape", "application/json",
                        "{" + ok.replace("claude-haiku-4-5", "claude\\u0000haiku") + "}", "UTF-8", "400"),
                List.of("two content types", "application/json|application/json-patch+json", "{" + ok + "}", "UTF-8",
                        "415"));
        List<StubLlmProvider.Received> before = stub.requests();
        for (List<String> c : cases) {
            String what = c.get(0);
            int status = Integer.parseInt(c.get(4));
            MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + token());
            for (String type : c.get(1).split("\\|")) {
                headers.add("Content-Type", type);
            }
            RawHttp.Answer r = RAW.send("POST", "/v1/messages", headers,
                    Buffer.buffer(c.get(2).getBytes(java.nio.charset.Charset.forName(c.get(3)))),
                    Duration.ofSeconds(10));
            assertEquals(status, r.status(), what + ": " + r.text());
            EdgeSupport.assertShape("anthropic", status, r.text());
            assertEquals(before, stub.requests(), what + " reached the provider");
        }

        MultiMap beta = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + token())
                .add("Content-Type", "application/json").add("anthropic-beta", "a\u00c0\u00afb");
        RawHttp.Answer raw = RAW.sendLatin1("POST", "/v1/messages", beta, Buffer.buffer(ANTHROPIC_BODY),
                Duration.ofSeconds(10));
        assertEquals(400, raw.status(), raw.text());
        assertEquals(before, stub.requests(), "a header with raw bytes above ASCII reached the provider");
    }

    /**
     * What a proxy in front could read otherwise: a fragment in the request target, a body framed by Transfer-Encoding
     * next to a Content-Length with a second request tucked in behind it, a coding other than a lone chunked.
     */
    @Test
    void requestsFramedAmbiguouslyNeverShareAConnection() throws Exception {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + token())
                .add("Content-Type", "application/json");
        RawHttp.Answer fragment = RAW.send("POST", "/v1/messages?beta=true#frag", headers,
                Buffer.buffer(ANTHROPIC_BODY), Duration.ofSeconds(10));
        assertEquals(400, fragment.status(), fragment.text());
        EdgeSupport.assertShape("anthropic", 400, fragment.text());

        byte[] json = ANTHROPIC_BODY.getBytes(StandardCharsets.UTF_8);
        String chunked = Integer.toHexString(json.length) + "\r\n" + ANTHROPIC_BODY + "\r\n0\r\n\r\n";
        String smuggled = "GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token() + "\r\n\r\n";
        for (String coding : List.of("chunked", "gzip, chunked", "chunked\r\nTransfer-Encoding: identity")) {
            String wire = "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: "
                          + "Bearer " + token() + "\r\nContent-Length: 4\r\nTransfer-Encoding: " + coding + "\r\n\r\n"
                          + chunked + smuggled;
            String answers = RawHttp.exchange(PORT, wire.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
            assertEquals(1, answers.split("HTTP/1.1 ", -1).length - 1,
                    coding + ": the request behind the body was served on the same connection:\n" + answers);
        }
    }

    @Test
    void multiByteUtf8PassesUnchanged() {
        String text = "日本語のテキスト 🚀 émoji ✓ 𝄞";
        // a model that is no alias: the body goes to the provider as it came
        String body = "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\","
                      + "\"content\":\"" + text + "\"}]}";
        HttpResponse<String> llm = post("/v1/messages", body, authorized());
        assertEquals(200, llm.statusCode(), llm.body());
        assertEquals(body, lastTo("/v1/messages").text());

        String session = mcpSession();
        HttpResponse<String> mcp = post("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{"
                + "\"name\":\"knowledge-base_search_docs\",\"arguments\":{\"query\":\"" + text + "\"}}}", mcp(session));
        assertEquals(200, mcp.statusCode(), mcp.body());
        // the backend echoes the query it got (lower-cased) when nothing matches
        assertTrue(McpHttp.message(mcp).at("/result/content/0/text").asText().contains(text.toLowerCase(Locale.ROOT)),
                mcp.body());
    }

    /** Every refusal made before or by a listener, on every API's path: status and the API's error shape. */
    @ParameterizedTest
    @CsvSource({
            "mcp, /mcp",
            "anthropic, /v1/messages",
            "openai, /v1/chat/completions",
            "openai, /v1/responses",
            "anthropic, /v1/projects/p/locations/l/publishers/anthropic/models/claude-sonnet:rawPredict",
            "google, /v1beta1/projects/p/locations/l/publishers/google/models/gemini-2.5-flash:generateContent"})
    void everyRefusalSpeaksTheApiOfItsPath(String api, String path) throws Exception {
        String body = api.equals("mcp") ? INITIALIZE : ANTHROPIC_BODY;
        String[] headers = api.equals("mcp") ? mcp(null) : authorized();
        // 413: over camel.server.max-body-size (64 KiB here), refused by the HTTP layer
        HttpResponse<String> tooLarge = post(path, "{\"x\":\"" + "a".repeat(70_000) + "\"}", headers);
        assertEquals(413, tooLarge.statusCode(), tooLarge.body());
        EdgeSupport.assertShape(api, 413, tooLarge.body());
        // 405: a method the listener does not serve
        HttpResponse<String> put = Http.send(http, request(path, headers).PUT(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, put.statusCode(), put.body());
        EdgeSupport.assertShape(api, 405, put.body());
        // 404: a sub-path no listener serves
        HttpResponse<String> unknown = post(path + "/x", body, headers);
        assertEquals(404, unknown.statusCode(), unknown.body());
        EdgeSupport.assertShape(api, 404, unknown.body());
        // 415: not JSON
        List<String> textHeaders = new ArrayList<>(List.of(headers));
        textHeaders.set(1, "text/plain");
        HttpResponse<String> text = post(path, body, textHeaders.toArray(String[]::new));
        assertEquals(415, text.statusCode(), text.body());
        EdgeSupport.assertShape(api, 415, text.body());
        // 400: not JSON at all
        HttpResponse<String> broken = post(path, "{", headers);
        assertEquals(400, broken.statusCode(), broken.body());
        EdgeSupport.assertShape(api, 400, broken.body());
        // 400: a query the router cannot even decode
        MultiMap raw = MultiMap.caseInsensitiveMultiMap();
        for (int i = 0; i < headers.length; i += 2) {
            raw.add(headers[i], headers[i + 1]);
        }
        RawHttp.Answer undecodable = RAW.send("POST", path + "?a=%zz", raw, Buffer.buffer(body),
                Duration.ofSeconds(10));
        assertEquals(400, undecodable.status(), undecodable.text());
        EdgeSupport.assertShape(api, 400, undecodable.text());
        // 401: no token (strict authentication)
        HttpResponse<String> anonymous = post(path, body, "Content-Type", "application/json", "Accept",
                "application/json, text/event-stream");
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        EdgeSupport.assertShape(api, 401, anonymous.body());
    }

    @Test
    void anUnknownOrganizationIsRefusedInTheApisShape() {
        HttpResponse<String> r = post(VERTEX + "anthropic/models/claude-sonnet:rawPredict", ANTHROPIC_BODY,
                authorized("x-org", "marketing"));
        assertEquals(403, r.statusCode(), r.body());
        EdgeSupport.assertShape("anthropic", 403, r.body());
    }

    private static byte[] json(String before, byte[] middle, String after) {
        byte[] a = before.getBytes(StandardCharsets.UTF_8);
        byte[] c = after.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[a.length + middle.length + c.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(middle, 0, all, a.length, middle.length);
        System.arraycopy(c, 0, all, a.length + middle.length, c.length);
        return all;
    }

    private static byte[] hexBytes(String hex) {
        byte[] bytes = new byte[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }
}
