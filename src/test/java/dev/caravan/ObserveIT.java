package dev.caravan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Test;

import dev.caravan.support.DemoTokens;
import dev.caravan.support.GatewayProcess;
import dev.caravan.support.LlmHttp;
import dev.caravan.support.McpHttp;
import dev.caravan.support.OtlpReceiver;
import dev.caravan.support.PrometheusServer;
import dev.caravan.support.Scrape;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged gateway as an operator observes it: a real Prometheus scrapes its management port while MCP and LLM
 * traffic flows (one MCP backend and one provider down, some bad requests), and an OTLP receiver takes its traces.
 * What Prometheus answers per user, org and model is what the stub providers returned, tool calls per user and
 * {@code product} are the calls made, and every query of the Grafana dashboard selects series the gateway exports.
 */
class ObserveIT {

    private static final String VERTEX = "/v1/projects/agents-own-project/locations/europe-west4/publishers/anthropic/"
                                         + "models/";
    private static final String SEARCH = "knowledge-base_search_docs";
    private static final Pattern METRIC = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(([a-zA-Z_:][a-zA-Z0-9_:]*)[{,]");

    /** Token sums per "user|org|model" and token type, as the clients saw them. */
    private final Map<String, Double> input = new TreeMap<>();
    private final Map<String, Double> output = new TreeMap<>();
    /** Tool calls per "user|product". */
    private final Map<String, Double> toolCalls = new TreeMap<>();

    @Test
    void prometheusSeesWhatTheClientsSawTheDashboardQueriesLiveSeriesAndTracesReachTheCollector() throws Exception {
        try (OtlpReceiver otlp = new OtlpReceiver();
             GatewayProcess gateway = new GatewayProcess()
                     .env("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.endpoint())
                     .env("OTEL_BSP_SCHEDULE_DELAY", "100")
                     .env("OTEL_SERVICE_NAME", "caravan-observe-it")
                     .env("LLM_OPENAI_URL", "http://127.0.0.1:" + TestPorts.free())
                     .env("MCP_SLACK_CONVERSATIONS_URL", "http://127.0.0.1:" + TestPorts.free() + "/mcp")
                     .start("gateway-observe");
             PrometheusServer prometheus = PrometheusServer.scraping(gateway.managementPort)) {
            mcpTraffic(gateway);
            llmTraffic(gateway);

            await(() -> vector(prometheus, "sum by (caravan_user, caravan_org, gen_ai_request_model) "
                    + "(gen_ai_client_token_usage_sum{gen_ai_token_type=\"input\"})", "caravan_user", "caravan_org",
                    "gen_ai_request_model"), input::equals, "input tokens per user, org and model: " + input);
            assertEquals(output, vector(prometheus, "sum by (caravan_user, caravan_org, gen_ai_request_model) "
                    + "(gen_ai_client_token_usage_sum{gen_ai_token_type=\"output\"})", "caravan_user", "caravan_org",
                    "gen_ai_request_model"));
            await(() -> vector(prometheus, "sum by (caravan_user, product) (caravan_mcp_tool_calls_total)",
                    "caravan_user", "product"), toolCalls::equals, "tool calls per user and product: " + toolCalls);
            assertEquals(Map.of("error", 1.0, "ok", 7.0), vector(prometheus,
                    "sum by (caravan_outcome) (caravan_mcp_tool_calls_total)", "caravan_outcome"));
            assertCostMatchesTheAccessLog(gateway, prometheus);
            await(() -> vector(prometheus, "sum by (caravan_provider) (caravan_llm_provider_failures_total)",
                    "caravan_provider"), m -> m.getOrDefault("openai", 0.0) >= 1, "openai's failures");
            await(() -> vector(prometheus, "sum by (backend) (caravan_mcp_backend_failures_total)", "backend"),
                    m -> m.getOrDefault("slack-conversations", 0.0) >= 1, "slack-conversations' failures");

            assertTheDashboardQueriesLiveSeries(gateway, prometheus);
            assertTracesArrived(otlp);
        }
    }

    private void mcpTraffic(GatewayProcess gateway) {
        McpHttp alice = new McpHttp(gateway.port, DemoTokens.token(gateway.issuerPort, "email=alice@solo.io"));
        alice.initialize(McpHttp.LATEST);
        McpHttp bob = new McpHttp(gateway.port, DemoTokens.token(gateway.issuerPort, "email=bob@solo.io"));
        bob.initialize(McpHttp.LATEST);

        JsonNode tools = alice.call("tools/list", null);
        assertTrue(tools.toString().contains(SEARCH), tools::toString);
        search(alice, "alice@solo.io", "agentgateway", 3);
        search(alice, "alice@solo.io", "kagent", 1);
        search(bob, "bob@solo.io", "gloo-mesh", 2);
        search(bob, "bob@solo.io", null, 1);
        JsonNode down = alice.call("tools/call", "{\"name\":\"slack-conversations_search_messages\",\"arguments\":{}}");
        assertTrue(down.has("error"), down::toString);
        toolCalls.merge("alice@solo.io|none", 1.0, Double::sum);

        assertEquals(400, alice.post("{not json").statusCode());
        assertEquals(401, new McpHttp(gateway.port, "not-a-token").post("{\"jsonrpc\":\"2.0\",\"id\":1,"
                + "\"method\":\"tools/list\"}").statusCode());
    }

    private void search(McpHttp client, String user, String product, int times) {
        String arguments = product == null ? "{\"query\":\"gateway\"}"
                : "{\"query\":\"gateway\",\"product\":\"" + product + "\"}";
        for (int i = 0; i < times; i++) {
            JsonNode answer = client.call("tools/call", "{\"name\":\"" + SEARCH + "\",\"arguments\":" + arguments + "}");
            assertTrue(answer.has("result") && !answer.at("/result/isError").asBoolean(), answer::toString);
        }
        toolCalls.merge(user + "|" + (product == null ? "none" : product), (double) times, Double::sum);
    }

    private void llmTraffic(GatewayProcess gateway) {
        LlmHttp llm = new LlmHttp(gateway.port);
        String carol = "Bearer " + DemoTokens.token(gateway.issuerPort, "email=carol@solo.io");
        String dave = "Bearer " + DemoTokens.token(gateway.issuerPort, "email=dave@solo.io");
        String vertexBody = "{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":64,\"messages\":[{\"role\":"
                            + "\"user\",\"content\":\"how much did this cost?\"}]}";
        for (int i = 0; i < 2; i++) {
            counted("carol@solo.io|engineering|claude-sonnet-4-6@20260101", llm.post(VERTEX
                    + "claude-sonnet-4-6@20260101:rawPredict", vertexBody, "Authorization", carol, "x-org", "engineering"));
        }
        counted("carol@solo.io|support|claude-opus-4-7@20260301", llm.post(VERTEX
                + "claude-opus-4-7@20260301:rawPredict", vertexBody, "Authorization", carol, "x-org", "support"));
        // a stream, so that time to first token has samples
        List<JsonNode> events = LlmHttp.data(llm.stream(VERTEX + "claude-sonnet-4-6@20260101:streamRawPredict",
                vertexBody.replace("{\"anthropic_version\"", "{\"stream\":true,\"anthropic_version\""),
                "Authorization", carol, "x-org", "support"));
        JsonNode start = events.stream().filter(e -> e.has("message")).findFirst().orElseThrow().at("/message/usage");
        JsonNode delta = events.stream().filter(e -> "message_delta".equals(e.path("type").asText()))
                .reduce((a, b) -> b).orElseThrow().get("usage");
        add("carol@solo.io|support|claude-sonnet-4-6@20260101", promptTokens(start),
                delta.get("output_tokens").asDouble());

        String messages = "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\","
                          + "\"content\":\"hi\"}]}";
        for (int i = 0; i < 2; i++) {
            counted("dave@solo.io|none|claude-haiku-4-5", llm.post("/v1/messages", messages, "Authorization", dave));
        }
        counted("dave@solo.io|none|in-house-claude", llm.post("/v1/messages",
                messages.replace("claude-haiku-4-5", "in-house-claude"), "Authorization", dave));

        HttpResponse<String> down = llm.post("/v1/chat/completions", "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"hi\"}]}", "Authorization", dave);
        assertEquals(502, down.statusCode(), down::body);
        assertTrue(json(down.body()).at("/error/message").isTextual(), down::body);
    }

    /** Adds the usage of an Anthropic answer: every prompt token (cached or not) is input. */
    private void counted(String key, HttpResponse<String> answer) {
        assertEquals(200, answer.statusCode(), answer::body);
        JsonNode usage = json(answer.body()).get("usage");
        add(key, promptTokens(usage), usage.get("output_tokens").asDouble());
    }

    private static double promptTokens(JsonNode usage) {
        return usage.path("input_tokens").asDouble() + usage.path("cache_read_input_tokens").asDouble()
               + usage.path("cache_creation_input_tokens").asDouble();
    }

    private void add(String key, double in, double out) {
        assertTrue(in > 0 && out > 0, key);
        input.merge(key, in, Double::sum);
        output.merge(key, out, Double::sum);
    }

    /** Spend per user in Prometheus is the sum of the cost_usd the access log lines show. */
    private static void assertCostMatchesTheAccessLog(GatewayProcess gateway, PrometheusServer prometheus) {
        Map<String, Double> logged = new TreeMap<>();
        for (String line : gateway.output().split("\n")) {
            if (line.startsWith("{") && line.contains("\"kind\":\"llm\"")) {
                JsonNode l = json(line);
                if (l.get("cost_usd").isNumber()) {
                    logged.merge(l.get("user").asText(), l.get("cost_usd").asDouble(), Double::sum);
                }
            }
        }
        assertEquals(Set.of("carol@solo.io", "dave@solo.io"), logged.keySet(), "priced users in the access log");
        Map<String, Double> spent = vector(prometheus, "sum by (caravan_user) (caravan_llm_cost_usd_total)",
                "caravan_user");
        assertEquals(logged.keySet(), spent.keySet());
        logged.forEach((user, cost) -> assertEquals(cost, spent.get(user), 1e-9, user));
        assertEquals(Map.of("in-house-claude", 1.0), vector(prometheus,
                "sum by (gen_ai_request_model) (caravan_llm_cost_unknown_total)", "gen_ai_request_model"));
    }

    /**
     * Every metric a dashboard query names is in the gateway's scrape, and every query (panels and variables, with
     * Grafana's variables filled in as "All" would) returns series from Prometheus.
     */
    private static void assertTheDashboardQueriesLiveSeries(GatewayProcess gateway, PrometheusServer prometheus)
            throws IOException {
        JsonNode dashboard = json(Files.readString(Path.of("config", "grafana", "caravan-dashboard.json")));
        List<String> queries = new ArrayList<>();
        panels(dashboard.get("panels"), queries);
        List<String> variables = new ArrayList<>();
        for (JsonNode v : dashboard.at("/templating/list")) {
            if ("query".equals(v.path("type").asText())) {
                variables.add(v.at("/query/query").asText(v.path("definition").asText()));
            }
        }
        assertTrue(queries.size() >= 20 && variables.size() == 3, queries + " " + variables);

        Set<String> exported = new TreeSet<>();
        Scrape.of(gateway.managementPort).text().lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .forEach(l -> exported.add(l.split("[{ ]", 2)[0]));
        Set<String> used = new TreeSet<>();
        for (String q : queries) {
            Matcher m = METRIC.matcher(q);
            while (m.find()) {
                used.add(m.group(1));
            }
        }
        for (String v : variables) {
            Matcher m = LABEL_VALUES.matcher(v);
            assertTrue(m.find(), v);
            used.add(m.group(1));
        }
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(exported);
        assertTrue(missing.isEmpty(), "the dashboard uses metrics the gateway does not export: " + missing);

        for (String q : queries) {
            String promql = q.replace("$org", ".*").replace("$user", ".*").replace("$model", ".*")
                    .replace("$__rate_interval", "1m").replace("$__range", "5m");
            await(() -> prometheus.query(promql).get("result"), r -> !r.isEmpty(), "series for " + promql);
        }
        for (String v : variables) {
            Matcher m = Pattern.compile("label_values\\((.*), *([a-z_]+)\\)").matcher(v.replace("$org", ".*")
                    .replace("$user", ".*"));
            assertTrue(m.matches(), v);
            JsonNode values = prometheus.query("count by (" + m.group(2) + ") (" + m.group(1) + ")").get("result");
            assertFalse(values.isEmpty(), v);
        }
    }

    private static void panels(JsonNode panels, List<String> queries) {
        for (JsonNode p : panels) {
            p.path("targets").forEach(t -> queries.add(t.get("expr").asText()));
            panels(p.path("panels"), queries);
        }
    }

    /** A client span per upstream call, with GenAI and MCP attributes, under the listener's span of its request. */
    private static void assertTracesArrived(OtlpReceiver otlp) {
        Span chat = await(() -> otlp.spans().stream().filter(s -> s.getName().equals("chat claude-opus-4-7@20260301"))
                .findFirst(), java.util.Optional::isPresent, "a chat span").orElseThrow();
        assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, chat.getKind());
        assertEquals("gcp.vertex_ai", attribute(chat, "gen_ai.provider.name"));
        assertTrue(Long.parseLong(attribute(chat, "gen_ai.usage.input_tokens")) > 0);
        Span tool = await(() -> otlp.spans().stream().filter(s -> s.getName().equals("tools/call " + SEARCH))
                .findFirst(), java.util.Optional::isPresent, "a tools/call span").orElseThrow();
        assertEquals("knowledge-base", attribute(tool, "caravan.backend"));
        assertEquals(SEARCH, attribute(tool, "gen_ai.tool.name"), "the name the agent called");
        for (Span client : List.of(chat, tool)) {
            Span parent = await(() -> otlp.spans().stream().filter(s -> s.getSpanId().equals(client.getParentSpanId()))
                    .findFirst(), java.util.Optional::isPresent, "the parent of " + client.getName()).orElseThrow();
            assertEquals(client.getTraceId(), parent.getTraceId());
            assertEquals(Span.SpanKind.SPAN_KIND_SERVER, parent.getKind(), parent.getName());
        }
        assertEquals(Set.of("caravan-observe-it"), otlp.services());
    }

    private static String attribute(Span span, String key) {
        for (KeyValue kv : span.getAttributesList()) {
            if (kv.getKey().equals(key)) {
                return kv.getValue().hasIntValue() ? String.valueOf(kv.getValue().getIntValue())
                        : kv.getValue().getStringValue();
            }
        }
        throw new AssertionError(span.getName() + " has no " + key + ": " + span.getAttributesList());
    }

    /** The value of each series of an instant vector, keyed by its labels joined with "|". */
    private static Map<String, Double> vector(PrometheusServer prometheus, String promql, String... labels) {
        Map<String, Double> out = new TreeMap<>();
        for (JsonNode series : prometheus.query(promql).get("result")) {
            List<String> key = new ArrayList<>();
            for (String l : labels) {
                key.add(series.at("/metric/" + l).asText());
            }
            out.put(String.join("|", key), series.at("/value/1").asDouble());
        }
        return out;
    }

    /** Polls (up to 30 s) until {@code ok}: Prometheus shows a sample at its next scrape, a span at the next export. */
    private static <T> T await(Supplier<T> value, Predicate<T> ok, String what) {
        long end = System.currentTimeMillis() + 30_000;
        T last = value.get();
        while (!ok.test(last)) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError(what + " not seen within 30 s; last: " + last);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            last = value.get();
        }
        return last;
    }

    private static JsonNode json(String text) {
        try {
            return McpHttp.JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
