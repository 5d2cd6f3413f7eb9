package dev.caravan.llm;

import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.json.JsonObject;
import org.apache.camel.BeanInject;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import dev.caravan.CaravanConfiguration;
import dev.caravan.demo.DemoConfiguration;
import dev.caravan.demo.StubLlmProvider;
import dev.caravan.support.AccessLogLines;
import dev.caravan.support.FlakyProvider;
import dev.caravan.support.LlmHttp;
import dev.caravan.support.TestKeys;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Providers that fail (test-routes/llm-flaky-providers.camel.yaml): retries before the first byte, honouring
 * Retry-After; the fallback provider (and its model) when retries run out; a circuit that opens and skips a provider;
 * a stream that breaks off is never replayed; a provider's own error passes through; a provider that is down gets an
 * error in the API's format; a Vertex AI provider with a service account key gets a Google token for it.
 */
@CamelMainTest(configurationClasses = {CaravanConfiguration.class, DemoConfiguration.class},
               propertyPlaceholderLocations = {"file:config/demo.properties", "file:config/application.properties"},
               properties = {
                       "camel.main.routes-include-pattern=file:routes/gateway.camel.yaml,file:routes/auth.camel.yaml,"
                       + "file:routes/llm.camel.yaml,file:kamelets/*.kamelet.yaml,"
                       + "classpath:test-routes/llm-flaky-providers.camel.yaml"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LlmResilienceTest {

    private static final int PORT = TestPorts.configureGateway();
    private static final RSAKey SERVICE_ACCOUNT = TestKeys.newKey();
    private static final FlakyProvider FLAKY = flaky();
    private static final String MESSAGE = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":8,\"messages\":[{\"role\":"
                                          + "\"user\",\"content\":\"hi\"}]}";
    private static final String VERTEX = "/v1/projects/p/locations/l/publishers/anthropic/models/claude-sonnet-4-6";
    private static final String VERTEX_BODY = "{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":8,"
                                              + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private final LlmHttp http = new LlmHttp(PORT);
    private final AccessLogLines access = AccessLogLines.collect();

    @BeanInject
    LlmProviders providers;

    @BeanInject
    StubLlmProvider stub;

    private static FlakyProvider flaky() {
        FlakyProvider flaky = FlakyProvider.started();
        try {
            System.setProperty("test.down.port", String.valueOf(TestPorts.free()));
            Path key = Files.createTempFile("service-account", ".json");
            String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(
                    SERVICE_ACCOUNT.toPrivateKey().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
            Files.writeString(key, new JsonObject().put("type", "service_account").put("project_id", "shared")
                    .put("private_key_id", SERVICE_ACCOUNT.getKeyID()).put("private_key", pem)
                    .put("client_email", "gateway@shared.iam.gserviceaccount.com")
                    .put("token_uri", "http://127.0.0.1:" + System.getProperty("caravan.demo.llm.port") + "/token")
                    .encode());
            System.setProperty("test.service-account-file", key.toString());
            return flaky;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    void stop() throws Exception {
        FLAKY.close();
    }

    private static String anthropicError(HttpResponse<String> r) throws Exception {
        return dev.caravan.support.McpHttp.JSON.readTree(r.body()).at("/error/type").asText();
    }

    @Test
    @Order(1)
    void aFailedCallIsRetriedBeforeAnythingReachedTheClient() throws Exception {
        FLAKY.script("/v1/messages", "503", "ok");
        HttpResponse<String> r = http.post("/v1/messages", MESSAGE);
        assertEquals(200, r.statusCode(), r::body);
        assertTrue(r.body().contains("finally"), r::body);
        assertEquals(2, FLAKY.requests("/v1/messages"));
        assertEquals("anthropic", access.await(l -> l.path("status").asInt() == 200
                                                    && "anthropic".equals(l.path("provider").asText())).get("provider")
                .asText());
    }

    @Test
    @Order(2)
    void aProvidersOwnRefusalPassesThroughUnchangedAndIsNotRetried() throws Exception {
        int before = FLAKY.requests("/v1/messages");
        FLAKY.script("/v1/messages", "400");
        HttpResponse<String> r = http.post("/v1/messages", MESSAGE);
        assertEquals(400, r.statusCode());
        assertEquals("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"flaky says 400\"}}",
                r.body());
        assertEquals(before + 1, FLAKY.requests("/v1/messages"));
    }

    @Test
    @Order(3)
    void whenRetriesRunOutTheFallbackAnswersWithItsModel() throws Exception {
        int before = FLAKY.requests("/v1/messages");
        FLAKY.script("/v1/messages", "503", "503");
        HttpResponse<String> r = http.post("/v1/messages", MESSAGE);
        assertEquals(200, r.statusCode(), r::body);
        assertEquals("claude-haiku-4-5", dev.caravan.support.McpHttp.JSON.readTree(r.body()).get("model").asText());
        assertEquals(before + 2, FLAKY.requests("/v1/messages"), "one call and one retry");
        JsonNode line = access.await(l -> "anthropic-backup".equals(l.path("provider").asText()));
        assertEquals("claude-haiku-4-5", line.get("model").asText());
        assertEquals("claude-sonnet-4-6", line.get("client_model").asText());
    }

    @Test
    @Order(4)
    void aProviderThatKeepsFailingIsSkippedUntilItsCircuitCloses() throws Exception {
        // the fallback test left two failures in a row; a third opens the circuit
        FLAKY.script("/v1/messages", "500", "500");
        assertEquals(200, http.post("/v1/messages", MESSAGE).statusCode());
        assertEquals("OPEN", providers.circuit("anthropic"));
        int before = FLAKY.requests("/v1/messages");
        HttpResponse<String> skipped = http.post("/v1/messages", MESSAGE);
        assertEquals(200, skipped.statusCode(), "the fallback answered");
        assertEquals(before, FLAKY.requests("/v1/messages"), "the open provider was not called");
    }

    @Test
    @Order(5)
    void aRateLimitIsWaitedOutAsRetryAfterSays() {
        FLAKY.script("/projects/support/", "429:1", "stream-then-reset");
        long start = System.nanoTime();
        List<LlmHttp.Line> lines = http.stream(VERTEX + ":streamRawPredict", VERTEX_BODY, "x-org", "support");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis >= 1000, "retried after " + millis + " ms");
        assertTrue(lines.stream().anyMatch(l -> l.text().contains("message_start")), lines::toString);
    }

    @Test
    @Order(6)
    void aStreamThatBreaksOffEndsWithAnErrorEventAndIsNeverReplayed() throws Exception {
        FLAKY.script("/projects/eng/", "stream-then-reset", "ok");
        List<LlmHttp.Line> lines = http.stream(VERTEX + ":streamRawPredict", VERTEX_BODY, "x-org", "engineering");
        assertTrue(lines.get(0).text().equals("event: message_start"), lines::toString);
        assertTrue(lines.stream().anyMatch(l -> l.text().equals("event: error")), lines::toString);
        assertTrue(lines.stream().anyMatch(l -> l.text().contains("\"type\":\"api_error\"")), lines::toString);
        assertEquals(1, FLAKY.requests("/projects/eng/"), "the started stream was sent again");
        JsonNode line = access.await(l -> "vertex-engineering".equals(l.path("provider").asText()));
        assertEquals(40, line.get("input_tokens").asLong(), "what message_start counted is kept");
        assertTrue(line.get("error").asText().contains("vertex-engineering"), line::toString);
    }

    @Test
    @Order(7)
    void aProviderThatIsDownGetsAnErrorInTheApisFormat() throws Exception {
        HttpResponse<String> r = http.post("/v1/chat/completions", "{\"model\":\"gpt-4o\",\"messages\":[]}");
        assertEquals(502, r.statusCode(), r::body);
        JsonNode error = dev.caravan.support.McpHttp.JSON.readTree(r.body()).get("error");
        assertEquals("server_error", error.get("type").asText());
        assertEquals("openai: cannot connect (refused)", error.get("message").asText());
    }

    @Test
    @Order(8)
    void aServiceAccountKeyBuysTheVertexToken() throws Exception {
        HttpResponse<String> r = http.post(VERTEX + ":rawPredict", VERTEX_BODY.replace("\"stream\":true,", ""));
        assertEquals(200, r.statusCode(), r::body);
        StubLlmProvider.Received grant = stub.requests().stream().filter(q -> q.path().equals("/token")).findFirst()
                .orElseThrow();
        String assertion = null;
        for (String pair : grant.text().split("&")) {
            if (pair.startsWith("assertion=")) {
                assertion = URLDecoder.decode(pair.substring(10), StandardCharsets.UTF_8);
            }
        }
        SignedJWT jwt = SignedJWT.parse(assertion);
        assertTrue(jwt.verify(new RSASSAVerifier(SERVICE_ACCOUNT.toRSAPublicKey())), "signed with the account's key");
        assertEquals("gateway@shared.iam.gserviceaccount.com", jwt.getJWTClaimsSet().getIssuer());
        assertEquals("https://www.googleapis.com/auth/cloud-platform", jwt.getJWTClaimsSet().getClaim("scope"));
        assertTrue(grant.text().startsWith("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&"));
        // a second request reuses the token
        int grants = (int) stub.requests().stream().filter(q -> q.path().equals("/token")).count();
        assertEquals(200, http.post(VERTEX + ":rawPredict", VERTEX_BODY.replace("\"stream\":true,", "")).statusCode());
        assertEquals(grants, stub.requests().stream().filter(q -> q.path().equals("/token")).count());
    }
}
