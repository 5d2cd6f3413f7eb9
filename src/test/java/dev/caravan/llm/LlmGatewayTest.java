package dev.caravan.llm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.BeanInject;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.caravan.CaravanConfiguration;
import dev.caravan.auth.AccessRule;
import dev.caravan.demo.DemoConfiguration;
import dev.caravan.demo.StubLlmProvider;
import dev.caravan.support.AccessLogLines;
import dev.caravan.support.DemoTokens;
import dev.caravan.support.LlmHttp;
import dev.caravan.support.McpHttp;
import dev.caravan.support.Scrape;
import dev.caravan.support.StubRequests;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The LLM routes exactly as configured in routes/ and config/ (the demo: every provider is the embedded stub, which
 * streams like a model, 20 ms between events), driven over HTTP: every API's answer arrives intact and as it is
 * generated; the usage the client saw is what the gateway recorded, per user, and priced by the table; the org header
 * picks the Vertex project; models come from the path or the body; credentials are swapped; bad input gets the API's
 * own error format.
 */
@CamelMainTest(configurationClasses = {CaravanConfiguration.class, DemoConfiguration.class},
               propertyPlaceholderLocations = {"file:config/demo.properties", "file:config/application.properties"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LlmGatewayTest {

    private static final int PORT = TestPorts.configureGateway();
    private static final String VERTEX = "/v1/projects/agents-own-project/locations/europe-west4/publishers/";
    private final LlmHttp http = new LlmHttp(PORT);

    private final AccessLogLines access = AccessLogLines.collect();

    @BeanInject
    StubLlmProvider stub;

    @BeanInject("llmUsers")
    AccessRule llmUsers;

    /** A token for a user of its own, so that each test reads only its own metrics. */
    private static String user(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8) + "@solo.io";
    }

    private static String bearer(String email) {
        return "Bearer " + DemoTokens.token("email=" + email);
    }

    /** A throwaway provider key the demo made at start (config/demo.properties, caravan.demo.secrets-dir). */
    private static String demoKey(String name) {
        try {
            return Files.readString(Path.of("target", "demo-secrets", name)).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int managementPort() {
        return Integer.parseInt(System.getProperty("caravan.management.port"));
    }

    private static double tokens(String user, String type) {
        return Scrape.of(managementPort()).sum("gen_ai_client_token_usage_sum", "caravan_user", user,
                "gen_ai_token_type", type);
    }

    /** What the client saw, per case: input (all prompt tokens), cache read, output. */
    private record Seen(long input, long cacheRead, long output) {
    }

    private static Seen anthropic(JsonNode usage) {
        long cacheRead = usage.path("cache_read_input_tokens").asLong();
        return new Seen(usage.path("input_tokens").asLong() + cacheRead
                        + usage.path("cache_creation_input_tokens").asLong(), cacheRead,
                usage.path("output_tokens").asLong());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // case | path | body | price list | model priced
            "vertex anthropic stream|" + VERTEX + "anthropic/models/claude-sonnet-4-6%4020260101:streamRawPredict|"
            + "{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":64,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"stream it\"}]}"
            + "|google|claude-sonnet-4-6@20260101",
            "vertex anthropic|" + VERTEX + "anthropic/models/claude-opus-4-7@20260301:rawPredict|"
            + "{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"once\"}]}"
            + "|google|claude-opus-4-7@20260301",
            "anthropic stream|/v1/messages|{\"model\":\"claude-haiku-4-5\",\"max_tokens\":64,\"stream\":true,"
            + "\"system\":[{\"type\":\"text\",\"text\":\"long system prompt\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}|anthropic|claude-haiku-4-5",
            "openai chat stream|/v1/chat/completions|{\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":"
            + "{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}|openai|gpt-4o",
            "openai chat|/v1/chat/completions|{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
            + "|openai|gpt-4o-mini",
            "responses stream|/v1/responses|{\"model\":\"gpt-4.1\",\"stream\":true,\"input\":\"hi\"}|openai|gpt-4.1",
            "responses|/v1/responses|{\"model\":\"gpt-4.1\",\"input\":\"hi\"}|openai|gpt-4.1",
            "gemini sse|" + VERTEX + "google/models/gemini-2.5-pro:streamGenerateContent?alt=sse|"
            + "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}|google|gemini-2.5-pro",
            "gemini json stream|/v1beta1/projects/p/locations/l/publishers/google/models/gemini-2.5-flash:streamGenerateContent|"
            + "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}|google|gemini-2.5-flash",
            "gemini|" + VERTEX + "google/models/gemini-2.5-flash:generateContent|"
            + "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}|google|gemini-2.5-flash"})
    void theUsageTheClientSawIsWhatTheGatewayRecordedAndPriced(String name, String path, String body,
                                                               String priceList, String model) throws Exception {
        String user = user("usage");
        HttpResponse<String> r = http.post(path, body, "Authorization", bearer(user));
        assertEquals(200, r.statusCode(), r::body);
        assertTrue(r.body().contains("Caravan"), r::body);
        Seen seen = seen(name, r.body());
        JsonNode line = access.of(user);
        assertEquals(model, line.get("model").asText(), name);
        assertEquals(seen.input(), line.get("input_tokens").asLong(), name);
        assertEquals(seen.output(), line.get("output_tokens").asLong(), name);
        assertTrue(line.get("usage_complete").asBoolean(), name);
        assertEquals(200, line.get("status").asInt());
        assertEquals(seen.input(), tokens(user, "input"), name);
        assertEquals(seen.cacheRead(), tokens(user, "cache_read"), name);
        assertEquals(seen.output(), tokens(user, "output"), name);
        PriceTable.Cost cost = PriceTable.bundled(Map.of()).cost(priceList, model,
                new Usage(seen.input(), seen.cacheRead(), 0, seen.output(), true), Instant.now());
        assertNotNull(cost, model);
        assertEquals(cost.total(), Scrape.of(managementPort()).sum("caravan_llm_cost_usd_total", "caravan_user", user),
                1e-12, name);
        assertEquals(cost.total(), line.get("cost_usd").asDouble(), 1e-12, name);
        assertEquals(r.body().getBytes(StandardCharsets.UTF_8).length, line.get("bytes_out").asLong(), name);
        assertEquals(body.getBytes(StandardCharsets.UTF_8).length, line.get("bytes_in").asLong(), name);
    }

    /** The usage in the answer as the client got it, read the way each API reports it. */
    private static Seen seen(String name, String body) throws Exception {
        List<JsonNode> events = new java.util.ArrayList<>();
        for (String line : body.split("\r?\n")) {
            if (line.startsWith("data:") && !line.contains("[DONE]")) {
                events.add(McpHttp.JSON.readTree(line.substring(5)));
            }
        }
        JsonNode json = events.isEmpty() ? McpHttp.JSON.readTree(body) : null;
        if (name.startsWith("vertex anthropic") || name.startsWith("anthropic")) {
            if (json != null) {
                return anthropic(json.get("usage"));
            }
            JsonNode start = events.get(0).at("/message/usage");
            JsonNode delta = events.stream().filter(e -> e.path("type").asText().equals("message_delta"))
                    .findFirst().orElseThrow().get("usage");
            return new Seen(anthropic(start).input(), anthropic(start).cacheRead(), delta.path("output_tokens").asLong());
        }
        if (name.startsWith("openai")) {
            JsonNode usage = json != null ? json.get("usage") : events.get(events.size() - 1).get("usage");
            return new Seen(usage.path("prompt_tokens").asLong(),
                    usage.at("/prompt_tokens_details/cached_tokens").asLong(), usage.path("completion_tokens").asLong());
        }
        if (name.startsWith("responses")) {
            JsonNode usage = json != null ? json.get("usage") : events.get(events.size() - 1).at("/response/usage");
            return new Seen(usage.path("input_tokens").asLong(), usage.at("/input_tokens_details/cached_tokens").asLong(),
                    usage.path("output_tokens").asLong());
        }
        JsonNode last = json == null ? events.get(events.size() - 1) : json.isArray() ? json.get(json.size() - 1) : json;
        JsonNode usage = last.get("usageMetadata");
        return new Seen(usage.path("promptTokenCount").asLong(), usage.path("cachedContentTokenCount").asLong(),
                usage.path("candidatesTokenCount").asLong());
    }

    @Test
    void streamsArriveAsTheyAreGeneratedAndPassThroughUnchanged() {
        List<LlmHttp.Line> lines = http.stream(VERTEX + "anthropic/models/claude-sonnet:streamRawPredict",
                "{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":64,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"stream it\"}]}", "Authorization", bearer(user("s")));
        List<LlmHttp.Line> deltas = lines.stream().filter(l -> l.text().contains("\"content_block_delta\"")
                                                                && l.text().startsWith("data:")).toList();
        assertTrue(deltas.size() >= 15, lines::toString);
        // the stub spaces its events 20 ms apart: the first word was there long before the last
        long spreadMillis = (deltas.get(deltas.size() - 1).nanos() - deltas.get(0).nanos()) / 1_000_000;
        assertTrue(spreadMillis >= (deltas.size() - 1) * 10L, "deltas arrived within " + spreadMillis + " ms");
        List<String> events = lines.stream().filter(l -> l.text().startsWith("event:")).map(LlmHttp.Line::text)
                .distinct().toList();
        assertEquals(List.of("event: message_start", "event: content_block_start", "event: ping",
                "event: content_block_delta", "event: content_block_stop", "event: message_delta",
                "event: message_stop"), events);
        // the alias (config) became the model the provider answered with
        assertEquals("claude-sonnet-4-6@20260101", LlmHttp.data(lines).get(0).at("/message/model").asText());
    }

    private StubLlmProvider.Received lastTo(String pathPart) {
        return StubRequests.lastTo(stub, pathPart);
    }

    @Test
    void withTracingOffTheCallersTraceContextPassesThroughUnchanged() {
        String traceparent = "00-" + UUID.randomUUID().toString().replace("-", "") + "-00f067aa0ba902b7-01";
        assertEquals(200, http.post("/v1/chat/completions", "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"pass it on\"}]}", "traceparent", traceparent).statusCode());
        assertEquals(traceparent, lastTo("/chat/completions").headers().get("traceparent"));
    }

    @Test
    void theOrgHeaderPicksTheVertexProjectAndAnUnknownOrgIsRefused() {
        String body = "{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\","
                      + "\"content\":\"hi\"}]}";
        String path = VERTEX + "anthropic/models/claude-sonnet-4-6@20260101:rawPredict";
        for (String[] org : new String[][] {{"engineering", "solo-eng-llm"}, {"support", "solo-support-llm"},
                {null, "solo-shared-llm"}}) {
            HttpResponse<String> r = org[0] == null ? http.post(path, body) : http.post(path, body, "x-org", org[0]);
            assertEquals(200, r.statusCode(), r::body);
            assertEquals("/v1/projects/" + org[1] + "/locations/us-east5/publishers/anthropic/models/"
                         + "claude-sonnet-4-6@20260101:rawPredict", lastTo(":rawPredict").path(), org[0]);
        }
        int before = stub.requests().size();
        HttpResponse<String> unknown = http.post(path, body, "x-org", "marketing");
        assertEquals(403, unknown.statusCode());
        assertEquals("{\"type\":\"error\",\"error\":{\"type\":\"permission_error\",\"message\":\"Organization marketing "
                     + "is not configured on this gateway (header names one of its organizations)\"}}", unknown.body());
        assertEquals(before, stub.requests().size(), "an unknown org reached a provider");
    }

    @Test
    void theModelComesFromThePathElseTheBodyAndAliasesApplyToEither() throws Exception {
        String user = user("models");
        String vertexBody = "{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":8,\"messages\":[{\"role\":"
                            + "\"user\",\"content\":\"hi\"}]}";
        // an SDK writes the @ of a Vertex model version as %40
        assertEquals(200, http.post(VERTEX + "anthropic/models/claude-opus-4-7%4020260301:rawPredict", vertexBody,
                "Authorization", bearer(user)).statusCode());
        assertTrue(lastTo(":rawPredict").path().contains("/models/claude-opus-4-7@20260301:rawPredict"));
        assertEquals(200, http.post(VERTEX + "anthropic/models/claude-opus:rawPredict", vertexBody).statusCode());
        assertTrue(lastTo(":rawPredict").path().contains("/models/claude-opus-4-7@20260301:rawPredict"));

        HttpResponse<String> fromBody = http.post("/v1/messages", "{\"model\":\"claude-sonnet\",\"max_tokens\":8,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "Authorization", bearer(user));
        assertEquals(200, fromBody.statusCode(), fromBody::body);
        assertEquals("claude-sonnet-4-6@20260101", lastTo("/v1/messages").body().getString("model"));
        access.of(user);
        assertEquals(1.0, Scrape.of(managementPort()).sum("caravan_llm_requests_total", "caravan_user", user,
                "gen_ai_request_model", "claude-sonnet-4-6@20260101"));
    }

    @Test
    void clientCredentialsNeverReachAProviderWhichGetsItsOwn() {
        String email = user("creds");
        String token = DemoTokens.token("email=" + email);
        http.post(VERTEX + "anthropic/models/claude-sonnet-4-6@20260101:rawPredict", "{\"anthropic_version\":"
                + "\"vertex-2023-10-16\",\"max_tokens\":8,\"messages\":[]}", "Authorization", "Bearer " + token,
                "x-goog-api-key", "client-google-key", "Cookie", "s=1");
        StubLlmProvider.Received vertex = lastTo(":rawPredict");
        assertTrue(vertex.headers().get("Authorization").startsWith("Bearer ya29.stub-"), vertex.headers()::toString);
        http.post("/v1/messages", "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":8,\"messages\":[]}",
                "x-api-key", token, "anthropic-version", "2023-06-01");
        StubLlmProvider.Received anthropic = lastTo("/v1/messages");
        assertEquals(demoKey("anthropic-api-key"), anthropic.headers().get("x-api-key"));
        assertEquals("2023-06-01", anthropic.headers().get("anthropic-version"), "the API's own headers pass");
        http.post("/v1/chat/completions", "{\"model\":\"gpt-4o\",\"messages\":[]}", "Authorization", "Bearer " + token);
        StubLlmProvider.Received openai = lastTo("/v1/chat/completions");
        assertEquals("Bearer " + demoKey("openai-api-key"), openai.headers().get("Authorization"));
        for (StubLlmProvider.Received r : List.of(vertex, anthropic, openai)) {
            assertNull(r.headers().get("x-goog-api-key"));
            assertNull(r.headers().get("Cookie"));
            r.headers().forEach(h -> assertFalse(h.getValue().contains(token) || h.getKey().toLowerCase()
                    .startsWith("camel"), r.path() + " got " + h.getKey()));
        }
    }

    @Test
    void theUsageChunkIsAskedForAndKeptFromAClientThatDidNotAsk() throws Exception {
        String user = user("chunk");
        List<LlmHttp.Line> lines = http.stream("/v1/chat/completions", "{\"model\":\"gpt-4o\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "Authorization", bearer(user));
        assertTrue(lastTo("/v1/chat/completions").body().getJsonObject("stream_options").getBoolean("include_usage"));
        List<JsonNode> chunks = LlmHttp.data(lines);
        assertTrue(chunks.stream().noneMatch(c -> c.path("usage").isObject()), chunks::toString);
        assertTrue(chunks.stream().allMatch(c -> c.path("choices").size() == 1), "only content chunks");
        assertEquals("data: [DONE]", lines.stream().filter(l -> !l.text().isEmpty()).reduce((a, b) -> b).orElseThrow()
                .text());
        access.of(user);
        assertTrue(tokens(user, "input") > 0 && tokens(user, "output") > 0, "usage recorded all the same");
    }

    @Test
    void aClientThatLeavesMidStreamStillHasItsUsageRecorded() throws Exception {
        String user = user("gone");
        String body = "{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":64,\"stream\":true,\"messages\":"
                      + "[{\"role\":\"user\",\"content\":\"leave early\"}]}";
        double incomplete = Scrape.of(managementPort()).sum("caravan_llm_usage_incomplete_total");
        long input;
        try (Socket socket = new Socket("127.0.0.1", PORT)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + VERTEX + "anthropic/models/claude-sonnet-4-6@20260101:streamRawPredict HTTP/1.1\r\n"
                       + "Host: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: " + bearer(user) + "\r\n"
                       + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            socket.setSoTimeout(5000);
            String line;
            JsonNode start = null;
            int deltas = 0;
            while ((line = in.readLine()) != null && deltas < 3) {
                if (line.startsWith("data:") && line.contains("message_start")) {
                    start = McpHttp.JSON.readTree(line.substring(5));
                }
                deltas += line.contains("\"content_block_delta\"") ? 1 : 0;
            }
            input = start.at("/message/usage/input_tokens").asLong();
        }
        access.of(user);
        assertEquals(input, tokens(user, "input"), "the prompt tokens message_start reported");
        assertEquals(incomplete + 1, Scrape.of(managementPort()).sum("caravan_llm_usage_incomplete_total"));
    }

    /** Last: it uses up the 200 model values, after which any new model counts as other. */
    @Test
    @Order(Integer.MAX_VALUE)
    void aClientThatSendsANewModelEveryTimeAddsAtMostTwoHundredSeries() throws Exception {
        String user = user("hostile");
        String token = bearer(user);
        for (int i = 0; i < 220; i++) {
            assertEquals(200, http.post("/v1/chat/completions", "{\"model\":\"m-" + UUID.randomUUID() + "\","
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "Authorization", token).statusCode());
        }
        Scrape.await(managementPort(), 220.0, "caravan_llm_requests_total", "caravan_user", user);
        Scrape metrics = Scrape.of(managementPort());
        Set<String> models = new TreeSet<>();
        Matcher m = Pattern.compile("caravan_llm_requests_total\\{[^}]*gen_ai_request_model=\"([^\"]*)\"")
                .matcher(metrics.text());
        while (m.find()) {
            models.add(m.group(1));
        }
        assertTrue(models.size() <= 201, models.size() + " models");
        assertTrue(metrics.sum("caravan_llm_requests_total", "caravan_user", user, "gen_ai_request_model", "other")
                   >= 20);
        // the access log keeps the real name
        assertTrue(access.await(l -> user.equals(l.path("user").asText())).get("model").asText().startsWith("m-"));
    }

    @Test
    void aModelWithoutAPriceHasItsTokensRecordedAndItsCostCountedAsUnknown() throws Exception {
        String user = user("unpriced");
        assertEquals(200, http.post("/v1/chat/completions", "{\"model\":\"in-house-llm-7b\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"hi\"}]}", "Authorization", bearer(user)).statusCode());
        access.of(user);
        Scrape metrics = Scrape.of(managementPort());
        assertTrue(tokens(user, "input") > 0);
        assertEquals(0.0, metrics.sum("caravan_llm_cost_usd_total", "caravan_user", user));
        assertTrue(metrics.sum("caravan_llm_cost_unknown_total", "gen_ai_request_model", "in-house-llm-7b") >= 1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // case | path | content type | body | extra header | value | status | expected body start
            "not JSON|/v1/messages|application/json|{oops|||400|{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"The request body is not valid JSON\"}}",
            "JSON array|/v1/chat/completions|application/json|[1]|||400|{\"error\":{\"message\":\"The request body must be a JSON object\"",
            "form|/v1/messages|application/x-www-form-urlencoded|a=b|||415|{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\"",
            "bad token|/v1/chat/completions|application/json|{\"model\":\"gpt-4o\"}|Authorization|Bearer nope|401|{\"error\":{\"message\":\"Unauthorized: malformed token\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}",
            "bad x-api-key|/v1/messages|application/json|{\"model\":\"m\"}|x-api-key|nope|401|{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\"",
            "bad token on Gemini|/v1/projects/p/locations/l/publishers/google/models/gemini-2.5-pro:generateContent|application/json|{}|Authorization|Bearer nope|401|{\"error\":{\"code\":401,\"message\":\"Unauthorized: malformed token\",\"status\":\"UNAUTHENTICATED\"}}",
            "unknown publisher|/v1/projects/p/locations/l/publishers/meta/models/llama:rawPredict|application/json|{}|||404|{\"error\":{\"code\":404,\"message\":\"Vertex AI publisher meta is not served",
            "unverified email|/v1/messages|application/json|{\"model\":\"m\"}|Authorization|unverified|403|{\"type\":\"error\",\"error\":{\"type\":\"permission_error\",\"message\":\"Forbidden: llm-users does not allow this request\"}}"})
    void badInputGetsTheApisOwnErrorFormat(String name, String path, String type, String body, String header,
                                           String value, int status, String expected) throws Exception {
        int before = stub.requests().size();
        String org = "refused-" + UUID.randomUUID();
        var request = http.request(path, null).header("Content-Type", type).header("x-org", org)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
        if (header != null) {
            request.header(header, "unverified".equals(value)
                    ? "Bearer " + DemoTokens.token("email=eve@solo.io&email_verified=false") : value);
        }
        HttpResponse<String> r = http.send(request.build());
        assertEquals(status, r.statusCode(), r::body);
        assertTrue(r.body().startsWith(expected), r::body);
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals(before, stub.requests().size(), "a provider was asked");
        // refused half-way through the checks, and recorded with what they had learnt: the path's API, the org
        JsonNode line = access.await(l -> org.equals(l.path("org").asText()));
        assertEquals(status, line.path("status").asInt(), line::toString);
        assertFalse(line.path("api").isNull(), line::toString);
        assertTrue(line.path("duration_ms").asDouble() > 0, line::toString);
        assertTrue(r.body().contains(line.path("error").asText("-")), line::toString);
    }

    @Test
    void theAnthropicJavaSdkStreamsThroughTheGatewayWithItsKeyAsTheUsersToken() throws Exception {
        String user = user("java-sdk");
        AnthropicClient client = AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + PORT)
                .apiKey(DemoTokens.token("email=" + user)).build();
        MessageCreateParams params = MessageCreateParams.builder().model("claude-haiku-4-5").maxTokens(64)
                .addUserMessage("hello from Java").build();
        Message once = client.messages().create(params);
        assertTrue(once.content().get(0).text().orElseThrow().text().contains("hello from Java"));
        access.of(user);

        StringBuilder text = new StringBuilder();
        long[] usage = new long[2];
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
            stream.stream().forEach(event -> {
                event.messageStart().ifPresent(start -> usage[0] = start.message().usage().inputTokens());
                event.contentBlockDelta().flatMap(d -> d.delta().text()).ifPresent(d -> text.append(d.text()));
                event.messageDelta().ifPresent(delta -> usage[1] = delta.usage().outputTokens());
            });
        }
        assertTrue(text.toString().startsWith("The Caravan stub provider heard"), text::toString);
        access.await(l -> user.equals(l.path("user").asText()) && l.path("stream").asBoolean());
        assertEquals(once.usage().inputTokens() + usage[0], tokens(user, "input"));
        assertEquals(once.usage().outputTokens() + usage[1], tokens(user, "output"));
        // the SDK's own x-api-key carried the user's token; the provider got the gateway's key
        assertEquals(demoKey("anthropic-api-key"), lastTo("/v1/messages").headers().get("x-api-key"));
    }

    @Test
    void wrongMethodsAreRefused() {
        assertEquals(405, http.send(http.request("/v1/messages", null).GET().build()).statusCode());
        assertEquals(405, http.send(http.request("/v1/models", null)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build()).statusCode());
    }

    @Test
    void aRuleOnTheProviderSeesTheProviderTheRouteChose() {
        String body = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\","
                      + "\"content\":\"hi\"}]}";
        try {
            llmUsers.setRule("llm.provider == 'anthropic'");
            HttpResponse<String> allowed = http.post("/v1/messages", body);
            assertEquals(200, allowed.statusCode(), allowed::body);
            llmUsers.setRule("llm.provider == 'openai'");
            HttpResponse<String> denied = http.post("/v1/messages", body);
            assertEquals(403, denied.statusCode(), denied::body);
        } finally {
            llmUsers.setRule("jwt.sub == null || jwt.email_verified == true"); // as routes/auth.camel.yaml says
        }
    }
}
