package dev.caravan.mcp;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.TestInstance;

import dev.caravan.CaravanConfiguration;
import dev.caravan.demo.DemoConfiguration;
import dev.caravan.support.AccessLogLines;
import dev.caravan.support.DemoTokens;
import dev.caravan.support.McpHttp;
import dev.caravan.support.Scrape;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What MCP traffic leaves in the metrics and the access log, with the demo configuration: routes/observe.camel.yaml
 * adds {@code product} from {@code $.params.arguments.product}, capped at 30 values.
 */
@CamelMainTest(configurationClasses = {CaravanConfiguration.class, DemoConfiguration.class},
               propertyPlaceholderLocations = {"file:config/demo.properties", "file:config/application.properties"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class McpTelemetryTest {

    private static final int PORT = TestPorts.configureGateway();
    private static final String SEARCH = "knowledge-base_search_docs";
    private final AccessLogLines access = AccessLogLines.collect();

    private static String user(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8) + "@solo.io";
    }

    private static McpHttp client(String email) {
        McpHttp c = new McpHttp(PORT, DemoTokens.token("email=" + email));
        c.initialize(McpHttp.LATEST);
        return c;
    }

    private static final int MANAGEMENT = Integer.parseInt(System.getProperty("caravan.management.port"));

    private static Scrape scrape() {
        return Scrape.of(MANAGEMENT);
    }

    private static JsonNode search(McpHttp c, String product) {
        return c.call("tools/call", "{\"name\":\"" + SEARCH + "\",\"arguments\":{\"query\":\"timeouts\""
                                    + (product == null ? "" : ",\"product\":\"" + product + "\"") + "}}");
    }

    @Test
    void toolCallsAreCountedPerToolUserAndProduct() throws Exception {
        String user = user("support");
        McpHttp c = client(user);
        for (String product : new String[] {"gloo-gateway", "gloo-gateway", "kagent", null}) {
            assertTrue(search(c, product).has("result"));
        }
        access.await(l -> user.equals(l.path("user").asText()) && "tools/call".equals(l.path("mcp_method").asText())
                          && "none".equals(l.path("product").asText()));
        Scrape s = scrape();
        assertEquals(2.0, s.sum("caravan_mcp_tool_calls_total", "caravan_user", user, "gen_ai_tool_name", SEARCH,
                "product", "gloo-gateway", "caravan_backend", "knowledge-base", "caravan_outcome", "ok"));
        assertEquals(1.0, s.sum("caravan_mcp_tool_calls_total", "caravan_user", user, "product", "kagent"));
        assertEquals(1.0, s.sum("caravan_mcp_tool_calls_total", "caravan_user", user, "product", "none"));
        assertTrue(s.sum("mcp_server_operation_duration_seconds_count", "mcp_method_name", "tools/call",
                "gen_ai_tool_name", SEARCH, "product", "kagent", "http_response_status_code", "200") >= 1);
        // a histogram: buckets Prometheus can take quantiles of
        assertTrue(s.text().contains("mcp_server_operation_duration_seconds_bucket{"), "no histogram buckets");
    }

    @Test
    void eachRequestHasOneAccessLogLineWithoutItsBody() throws Exception {
        String user = user("ann");
        McpHttp c = client(user);
        search(c, "kagent");
        JsonNode call = access.await(l -> user.equals(l.path("user").asText())
                                          && "tools/call".equals(l.path("mcp_method").asText()));
        assertEquals("mcp", call.get("kind").asText());
        assertEquals("POST", call.get("method").asText());
        assertEquals("/mcp", call.get("path").asText());
        assertEquals(SEARCH, call.get("target").asText());
        assertEquals("knowledge-base", call.get("backend").asText());
        assertEquals(200, call.get("status").asInt());
        assertEquals("kagent", call.get("product").asText());
        assertTrue(call.get("duration_ms").asDouble() > 0);
        assertTrue(call.get("bytes_in").asLong() > 50 && call.get("bytes_out").asLong() > 50, call::toString);
        assertTrue(call.get("error").isNull());
        assertTrue(call.get("time").asText().endsWith("Z"));
        assertFalse(call.has("request"), "bodies are logged only when asked for");
        assertFalse(call.toString().contains("Bearer") || call.toString().contains("timeouts"), call::toString);

        c.call("tools/list", null);
        JsonNode list = access.await(l -> user.equals(l.path("user").asText())
                                          && "tools/list".equals(l.path("mcp_method").asText()));
        assertTrue(list.get("backend").isNull(), list::toString);
        assertEquals("[\"knowledge-base\",\"slack-conversations\"]", list.get("backends").toString());
        assertEquals("[]", list.get("backends_failed").toString());
        assertTrue(scrape().sum("mcp_server_operation_duration_seconds_count", "mcp_method_name", "tools/list",
                "caravan_backend", "all") >= 1);
    }

    @Test
    void errorsAreCountedWithTheirCodes() throws Exception {
        String user = user("err");
        McpHttp c = client(user);
        JsonNode unknown = c.call("tools/call", "{\"name\":\"knowledge-base_nope\",\"arguments\":{}}");
        int code = unknown.at("/error/code").asInt();
        JsonNode line = access.await(l -> user.equals(l.path("user").asText())
                                          && "tools/call".equals(l.path("mcp_method").asText()));
        assertEquals(code, line.get("rpc_error").asInt());
        assertFalse(line.get("error").isNull());
        assertEquals(1.0, scrape().sum("caravan_mcp_tool_calls_total", "caravan_user", user, "caravan_outcome",
                "error"));

        double rejected = scrape().sum("caravan_gateway_rejected_total", "caravan_listener", "mcp",
                "http_response_status_code", "400");
        assertEquals(400, c.post("{not json").statusCode());
        Scrape.await(MANAGEMENT, rejected + 1, "caravan_gateway_rejected_total", "caravan_listener", "mcp",
                "http_response_status_code", "400");
    }

    @Test
    void aToolResultThatIsAnErrorIsAToolError() throws Exception {
        String user = user("tool-error");
        McpHttp c = client(user);
        // streamed as SSE (a progress token) and answered as JSON: the outcome is seen either way
        List<McpHttp.TimedData> events = c.stream("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{"
                                                  + "\"name\":\"slack-conversations_summarize_channel\",\"_meta\":"
                                                  + "{\"progressToken\":\"p\"},\"arguments\":{\"channel\":\"nope\"}}}");
        assertTrue(events.get(events.size() - 1).message().at("/result/isError").asBoolean(), events::toString);
        assertTrue(c.call("tools/call", "{\"name\":\"slack-conversations_summarize_channel\",\"arguments\":"
                                        + "{\"channel\":\"nope\"}}").at("/result/isError").asBoolean());
        Scrape.await(MANAGEMENT, 2.0, "caravan_mcp_tool_calls_total", "caravan_user", user, "caravan_outcome",
                "tool_error");
        JsonNode line = access.await(l -> user.equals(l.path("user").asText())
                                          && "tools/call".equals(l.path("mcp_method").asText()));
        assertTrue(line.get("tool_error").asBoolean(), line::toString);
        assertTrue(line.get("rpc_error").isNull(), line::toString);
        // the client read its answer to the end: nothing went wrong on the way
        assertTrue(line.get("error").isNull(), line::toString);
    }

    /** Last: it uses up the 30 product values, after which any new product counts as other. */
    @Test
    @Order(Integer.MAX_VALUE)
    void aClientThatSendsANewProductEveryTimeAddsAtMostThirtySeries() throws Exception {
        String user = user("hostile");
        McpHttp c = client(user);
        for (int i = 0; i < 45; i++) {
            search(c, "product-" + UUID.randomUUID());
        }
        Scrape.await(MANAGEMENT, 45.0, "caravan_mcp_tool_calls_total", "caravan_user", user);
        Set<String> products = new TreeSet<>();
        Matcher m = Pattern.compile("caravan_mcp_tool_calls_total\\{[^}]*product=\"([^\"]*)\"").matcher(scrape().text());
        while (m.find()) {
            products.add(m.group(1));
        }
        // 30 kept values, plus "other" and "none"
        assertTrue(products.size() <= 32, products.size() + " products: " + products);
        assertTrue(scrape().sum("caravan_mcp_tool_calls_total", "caravan_user", user, "product", "other") >= 15);
    }

    @Test
    void requestsInFlightAreAGauge() throws Exception {
        McpHttp c = client(user("slow"));
        String[] active = {"caravan_gateway_requests_active", "caravan_listener", "mcp"};
        Scrape.await(MANAGEMENT, 0.0, active[0], active[1], active[2]);
        CompletableFuture<HttpResponse<String>> slow = HttpClient.newHttpClient().sendAsync(c.request(
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":"
                + "\"slack-conversations_summarize_channel\",\"arguments\":{\"channel\":\"support\",\"steps\":3,"
                + "\"stepMillis\":400}}}").build(), HttpResponse.BodyHandlers.ofString());
        Scrape.await(MANAGEMENT, 1.0, active[0], active[1], active[2]);
        assertEquals(200, slow.get().statusCode());
        Scrape.await(MANAGEMENT, 0.0, active[0], active[1], active[2]);
    }
}
