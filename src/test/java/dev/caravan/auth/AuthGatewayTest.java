package dev.caravan.auth;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.MultiMap;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.caravan.CaravanConfiguration;
import dev.caravan.demo.DemoConfiguration;
import dev.caravan.mcp.JsonRpc;
import dev.caravan.support.McpHttp;
import dev.caravan.support.ScriptedMcpServer;
import dev.caravan.support.TestIssuer;
import dev.caravan.support.TestKeys;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed's strict MCP authentication (test-routes/seed-auth.camel.yaml) against a real OIDC issuer
 * (mock-oauth2-server): every bad token is refused with the right status and without any request reaching a backend;
 * good tokens get in; the rules decide who may use MCP and which tools, prompts and resources each caller sees and
 * calls; backends get their own credentials and never the caller's.
 */
@CamelMainTest(configurationClasses = {CaravanConfiguration.class, DemoConfiguration.class},
               propertyPlaceholderLocations = {"file:config/demo.properties", "file:config/application.properties"},
               properties = {
                       "camel.main.routes-include-pattern=file:routes/mcp.camel.yaml,file:routes/gateway.camel.yaml,"
                       + "file:routes/mcp-backends.camel.yaml,file:kamelets/*.kamelet.yaml,"
                       + "classpath:test-routes/seed-auth.camel.yaml,"
                       + "classpath:test-routes/credentialed-backend.camel.yaml",
                       "caravan.secrets.reread-interval=0s"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthGatewayTest {

    private static final int PORT = TestPorts.configureGateway();
    private static final String RESOURCE = "http://127.0.0.1:" + PORT + "/mcp";
    private static final String METADATA = "http://127.0.0.1:" + PORT + "/.well-known/oauth-protected-resource/mcp";
    private static final TestIssuer ISSUER = new TestIssuer();
    private static final ScriptedMcpServer BACKEND = scripted();
    private static final Path SECRETS = secrets();
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"initialize\",\"params\":{"
                                             + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                                             + "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";

    private static ScriptedMcpServer scripted() {
        System.setProperty("test.issuer", ISSUER.issuer());
        System.setProperty("test.jwks-url", ISSUER.jwksUrl());
        try {
            ScriptedMcpServer server = new ScriptedMcpServer();
            System.setProperty("test.scripted.url", server.url());
            return server;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path secrets() {
        try {
            Path dir = Files.createTempDirectory("caravan-secrets");
            Files.writeString(dir.resolve("ok-key"), "key-one\n");
            System.setProperty("caravan.secrets.dir", dir.toString());
            return dir;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    void stop() throws Exception {
        BACKEND.close();
        ISSUER.close();
        System.clearProperty("caravan.secrets.dir"); // later test classes in this JVM use the demo's secrets
    }

    private static Map<String, Object> claims(Object... pairs) {
        Map<String, Object> claims = new HashMap<>(Map.of("email", "alice@solo.io", "email_verified", true,
                "scope", "mcp", "groups", List.of("support")));
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] == null) {
                claims.remove((String) pairs[i]);
            } else {
                claims.put((String) pairs[i], pairs[i + 1]);
            }
        }
        return claims;
    }

    private static String token(Object... pairs) {
        return ISSUER.token(RESOURCE, claims(pairs));
    }

    private static McpHttp client(String token) {
        McpHttp c = new McpHttp(PORT, token);
        c.initialize(McpHttp.LATEST);
        return c;
    }

    private static List<String> names(JsonNode list, String field) {
        return StreamSupport.stream(list.spliterator(), false).map(n -> n.get(field).asText()).toList();
    }

    /** the test's own signing key, published in the JWKS next to the issuer's */
    private static final RSAKey KEY = TestKeys.newKey();

    /** A token the issuer would never sign, made by hand with the test's key (which the JWKS publishes). */
    private static String forged(String kind) throws Exception {
        RSAKey key = KEY;
        ISSUER.publish(key);
        JWTClaimsSet.Builder base = ISSUER.claims(RESOURCE).claim("email", "alice@solo.io")
                .claim("email_verified", true).claim("scope", "mcp");
        long now = System.currentTimeMillis();
        return switch (kind) {
            case "malformed" -> "not.a.jwt";
            case "alg-none" -> new PlainJWT(base.build()).serialize();
            case "hs256-with-public-key" -> {
                // the classic confusion attack: HMAC keyed with the RSA public key the JWKS publishes
                SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID()).build(),
                        base.build());
                jwt.sign(new MACSigner(key.toPublicJWK().toRSAPublicKey().getEncoded()));
                yield jwt.serialize();
            }
            case "expired" -> TestKeys.sign(key, base.issueTime(new Date(now - 7_200_000))
                    .expirationTime(new Date(now - 3_600_000)).build());
            case "not-yet-valid" -> TestKeys.sign(key, base.notBeforeTime(new Date(now + 600_000)).build());
            case "no-expiry" -> TestKeys.sign(key, base.expirationTime(null).build());
            case "wrong-issuer" -> TestKeys.sign(key, base.issuer("https://evil.example").build());
            case "wrong-audience" -> ISSUER.token("https://other.example/mcp", claims());
            case "unknown-kid" -> TestKeys.sign(TestKeys.newKey(), base.build());
            case "bad-signature" -> {
                String good = token();
                yield good.substring(0, good.lastIndexOf('.') + 1) + Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(new byte[256]);
            }
            case "oversized" -> token("padding", "x".repeat(5000));
            case "too-large-for-http" -> token("padding", "x".repeat(12_000));
            case "email-not-solo" -> token("email", "mallory@example.com");
            case "email-unverified" -> token("email_verified", false);
            case "no-email" -> token("email", null);
            case "no-scope" -> token("scope", "other");
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "malformed, 401, invalid_token", "alg-none, 401, invalid_token",
            "hs256-with-public-key, 401, invalid_token", "expired, 401, invalid_token",
            "not-yet-valid, 401, invalid_token", "no-expiry, 401, invalid_token", "wrong-issuer, 401, invalid_token",
            "wrong-audience, 401, invalid_token", "unknown-kid, 401, invalid_token",
            "bad-signature, 401, invalid_token", "oversized, 401, invalid_token",
            "too-large-for-http, 431, ''", "email-not-solo, 403, ''", "email-unverified, 403, ''",
            "no-email, 403, ''", "no-scope, 403, insufficient_scope"})
    void badTokensAreRefusedBeforeAnyBackendIsAsked(String kind, int status, String error) throws Exception {
        String token = forged(kind);
        int before = BACKEND.requests();
        if (status == 431) {
            // Vert.x refuses header blocks over 8 KiB before any route runs. (Over HTTP/1.1: a request that also asks
            // for an h2c upgrade gets a 400 from Vert.x 4.5 on a connection it then leaves open.)
            HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                    new McpHttp(PORT, token).request(INITIALIZE).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(status, r.statusCode(), r::body);
            assertEquals(before, BACKEND.requests(), "a backend was asked");
            return;
        }
        HttpResponse<String> r = new McpHttp(PORT, token).post(INITIALIZE);
        assertEquals(status, r.statusCode(), r::body);
        assertEquals(before, BACKEND.requests(), "a backend was asked");
        JsonNode body = McpHttp.message(r);
        assertEquals(JsonRpc.SERVER_ERROR, body.at("/error/code").asInt(), r::body);
        assertFalse(body.at("/error/message").asText().contains(token), "the token is echoed back");
        String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
        if (error.isEmpty()) {
            assertEquals("", challenge, "a rule refusal is not a token problem");
        } else {
            assertTrue(challenge.startsWith("Bearer ") && challenge.contains("resource_metadata=\"" + METADATA + "\"")
                       && challenge.contains("error=\"" + error + "\""), challenge);
        }
    }

    @Test
    void withoutATokenTheAnswerSaysWhereToGetOne() throws Exception {
        int before = BACKEND.requests();
        for (String authorization : new String[] {null, "Basic YWxpY2U6c2VjcmV0", "Bearer "}) {
            HttpResponse<String> r = authorization == null ? new McpHttp(PORT).post(INITIALIZE)
                    : new McpHttp(PORT).post(INITIALIZE, "Authorization", authorization);
            assertEquals(401, r.statusCode(), r::body);
            assertEquals("Bearer resource_metadata=\"" + METADATA + "\", scope=\"mcp\"",
                    r.headers().firstValue("WWW-Authenticate").orElseThrow());
            assertEquals("Unauthorized: a bearer token is required", McpHttp.message(r).at("/error/message").asText());
            assertEquals(7, McpHttp.message(r).at("/id").asInt(-1), "the error answers the request's id");
        }
        assertEquals(before, BACKEND.requests());

        // the URL in the challenge serves the metadata, as does the bare well-known path
        for (String url : new String[] {METADATA, "http://127.0.0.1:" + PORT + "/.well-known/oauth-protected-resource"}) {
            HttpResponse<String> metadata = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metadata.statusCode());
            JsonNode m = McpHttp.JSON.readTree(metadata.body());
            assertEquals(RESOURCE, m.get("resource").asText());
            assertEquals(List.of(ISSUER.issuer()), names(m.get("authorization_servers")));
            assertEquals(List.of("mcp", "mcp:admin"), names(m.get("scopes_supported")));
            assertEquals(List.of("header"), names(m.get("bearer_methods_supported")));
            assertEquals("https://docs.example.com/mcp", m.get("resource_documentation").asText());
        }
        HttpResponse<String> other = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + PORT + "/.well-known/oauth-protected-resource/elsewhere")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, other.statusCode());
    }

    private static List<String> names(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    @Test
    void aValidTokenGetsInAndTheBackendSeesOnlyItsOwnCredential() throws Exception {
        String token = token();
        McpHttp c = client(token);
        int before = BACKEND.okHeaders().size();
        JsonNode ok = McpHttp.message(c.post("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{"
                                             + "\"name\":\"ok_probe\",\"arguments\":{}}}",
                "Cookie", "session=abc", "X-Api-Key", "client-key", "X-Goog-Api-Key", "goog"));
        assertEquals("ok probe", ok.at("/result/content/0/text").asText(), ok::toString);
        MultiMap seen = BACKEND.okHeaders().get(before);
        assertEquals("key-one", seen.get("X-Backend-Key"));
        for (String header : List.of("Authorization", "Cookie", "X-Api-Key", "X-Goog-Api-Key")) {
            assertNull(seen.get(header), header + " reached the backend");
        }
        seen.forEach(h -> assertFalse(h.getValue().contains(token), h.getKey() + " carries the client's token"));
        seen.names().forEach(n -> assertFalse(n.toLowerCase().startsWith("camel"), "leaked " + n));

        // a rotated secret file is used from the next request on, without a restart
        Files.writeString(SECRETS.resolve("ok-key"), "key-two");
        c.call("tools/call", "{\"name\":\"ok_probe\",\"arguments\":{}}");
        assertEquals("key-two", BACKEND.okHeaders().get(BACKEND.okHeaders().size() - 1).get("X-Backend-Key"));

        // a backend whose secret is gone is not called without it, and the client learns nothing of the config
        Files.delete(SECRETS.resolve("ok-key"));
        int requests = BACKEND.requests();
        try {
            JsonNode failed = c.call("tools/call", "{\"name\":\"ok_probe\",\"arguments\":{}}");
            assertEquals(JsonRpc.INTERNAL_ERROR, failed.at("/error/code").asInt(), failed::toString);
            assertEquals("ok: backend is not configured correctly", failed.at("/error/message").asText());
            assertEquals(requests, BACKEND.requests());
        } finally {
            Files.writeString(SECRETS.resolve("ok-key"), "key-one");
        }
    }

    @Test
    void aSessionIsUselessWithAnotherUsersToken() {
        McpHttp alice = client(token());
        McpHttp mallory = new McpHttp(PORT, token("email", "mallory@solo.io", "sub", "mallory"));
        mallory.sessionId(alice.sessionId());
        assertEquals(404, mallory.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}").statusCode());
        McpHttp anonymous = new McpHttp(PORT);
        anonymous.sessionId(alice.sessionId());
        assertEquals(401, anonymous.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}").statusCode());
    }

    @Test
    void keyRotationAcceptsTheNewKeyAndRefusesTheWithdrawnOne() {
        RSAKey first = TestKeys.newKey();
        RSAKey second = TestKeys.newKey();
        ISSUER.publish(KEY, first);
        String byFirst = TestKeys.sign(first, ISSUER.claims(RESOURCE).claim("email", "alice@solo.io")
                .claim("email_verified", true).claim("scope", "mcp").build());
        client(byFirst);

        ISSUER.publish(KEY, second);
        String bySecond = TestKeys.sign(second, ISSUER.claims(RESOURCE).claim("email", "alice@solo.io")
                .claim("email_verified", true).claim("scope", "mcp").build());
        int fetches = ISSUER.jwksFetches();
        client(bySecond);
        assertEquals(fetches + 1, ISSUER.jwksFetches(), "an unknown key id makes the gateway fetch the keys again");

        int before = BACKEND.requests();
        HttpResponse<String> withdrawn = new McpHttp(PORT, byFirst).post(INITIALIZE);
        assertEquals(401, withdrawn.statusCode(), withdrawn::body);
        assertEquals(before, BACKEND.requests());
    }

    @Test
    void callersSeeAndCallOnlyWhatTheRulesAllow() throws Exception {
        McpHttp support = client(token());
        McpHttp outsider = client(token("groups", List.of("sales"), "sub", "bob", "email", "bob@solo.io"));

        List<String> all = List.of("knowledge-base_search_docs", "slack-conversations_search_messages",
                "slack-conversations_summarize_channel", "ok_probe");
        assertEquals(all, names(support.call("tools/list", null).at("/result/tools"), "name"));
        // search_docs stays visible: whether a call is allowed depends on its arguments
        assertEquals(List.of("knowledge-base_search_docs", "ok_probe"),
                names(outsider.call("tools/list", null).at("/result/tools"), "name"));
        assertEquals(List.of("knowledge-base_answer_question"),
                names(support.call("prompts/list", null).at("/result/prompts"), "name"));
        assertEquals(List.of(), names(outsider.call("prompts/list", null).at("/result/prompts"), "name"));
        List<String> resources = names(outsider.call("resources/list", null).at("/result/resources"), "uri");
        assertTrue(!resources.isEmpty() && resources.stream().allMatch(u -> u.startsWith("knowledge-base+docs://kagent/")),
                resources::toString);

        double denied = refusals("denied");
        String slack = "{\"name\":\"slack-conversations_search_messages\",\"arguments\":{\"query\":\"x\"}}";
        assertTrue(support.call("tools/call", slack).has("result"));
        assertDenied(outsider.post(call("tools/call", slack)), "tool slack-conversations_search_messages");
        String gloo = "{\"name\":\"knowledge-base_search_docs\",\"arguments\":{\"query\":\"timeouts\",\"product\":\"%s\"}}";
        assertTrue(outsider.call("tools/call", gloo.formatted("gloo-gateway")).has("result"));
        assertDenied(outsider.post(call("tools/call", gloo.formatted("istio"))), "tool knowledge-base_search_docs");
        assertDenied(outsider.post(call("prompts/get", "{\"name\":\"knowledge-base_answer_question\","
                                                       + "\"arguments\":{\"question\":\"q\"}}")),
                "prompt knowledge-base_answer_question");
        assertDenied(outsider.post(call("completion/complete", "{\"ref\":{\"type\":\"ref/prompt\","
                + "\"name\":\"knowledge-base_answer_question\"},\"argument\":{\"name\":\"question\",\"value\":\"k\"}}")),
                "prompt knowledge-base_answer_question");
        assertDenied(outsider.post(call("resources/read", "{\"uri\":\"knowledge-base+docs://gloo-gateway/timeouts\"}")),
                "resource knowledge-base+docs://gloo-gateway/timeouts");
        // a rule on a request header: the docs team reads every document
        assertTrue(McpHttp.message(outsider.post(call("resources/read",
                "{\"uri\":\"knowledge-base+docs://gloo-gateway/timeouts\"}"), "X-Team", "docs")).has("result"));
        assertEquals(denied + 5, refusals("denied"), "every denial is counted");
    }

    private static String call(String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"" + method + "\",\"params\":" + params + "}";
    }

    private static void assertDenied(HttpResponse<String> r, String what) {
        assertEquals(403, r.statusCode(), r::body);
        JsonNode error = McpHttp.message(r);
        assertEquals(9, error.get("id").asInt());
        assertEquals("Forbidden: mcp-access does not allow " + what, error.at("/error/message").asText());
    }

    /** The refusal counter as the management port serves it. */
    private static double refusals(String reason) throws Exception {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + System.getProperty("caravan.management.port") + "/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
        return metrics.lines().filter(l -> l.startsWith("caravan_auth_refusals_total{")
                                           && l.contains("policy=\"mcp-access\"") && l.contains("reason=\"" + reason + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
