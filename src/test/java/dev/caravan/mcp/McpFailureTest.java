package dev.caravan.mcp;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.MultiMap;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.caravan.CaravanConfiguration;
import dev.caravan.demo.DemoConfiguration;
import dev.caravan.support.McpHttp;
import dev.caravan.support.ScriptedMcpServer;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backends that are down, slow, broken, silent or endless next to the healthy demo backends: the gateway leaves the
 * bad ones out of merged lists, counts them, names them in errors and never hangs.
 */
@CamelMainTest(configurationClasses = {CaravanConfiguration.class, DemoConfiguration.class},
               propertyPlaceholderLocations = {"file:config/demo.properties", "file:config/application.properties"},
               properties = {
                       "camel.main.routes-include-pattern=file:routes/*.camel.yaml,file:kamelets/*.kamelet.yaml,"
                       + "classpath:test-routes/scripted-backends.camel.yaml",
                       // long enough for the demo backends on a busy machine, short of the slow backend's 3 s; a
                       // backend marked down by mistake is probed again soon
                       "caravan.mcp.fan-out-timeout=2s",
                       "caravan.mcp.backend-down.backoff=200ms"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpFailureTest {

    private static final int PORT = TestPorts.configureGateway();
    private static final ScriptedMcpServer SCRIPTED = ScriptedMcpServer.startedAt("test.scripted.url");
    /** the down backend's port: bound, so no server of this run can take it, and not listening, so it refuses */
    private static final SocketChannel DOWN = refusingPort();

    private static SocketChannel refusingPort() {
        try {
            SocketChannel bound = SocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) bound.getLocalAddress()).getPort();
            System.setProperty("test.down.port", String.valueOf(port));
            return bound;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterAll
    void stopScripted() throws Exception {
        SCRIPTED.close();
        DOWN.close();
    }

    private static String callBody(String tool) {
        return "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
               + "\",\"arguments\":{}}}";
    }

    @Test
    void brokenBackendsAreLeftOutOfListsAndTheRestStillAnswers() {
        McpHttp c = new McpHttp(PORT);
        c.initialize(McpHttp.LATEST);
        long start = System.nanoTime();
        JsonNode tools = c.call("tools/list", null).at("/result/tools");
        long millis = (System.nanoTime() - start) / 1_000_000;
        List<String> names = StreamSupport.stream(tools.spliterator(), false).map(t -> t.get("name").asText()).toList();
        assertEquals(List.of("knowledge-base_search_docs", "slack-conversations_search_messages",
                "slack-conversations_summarize_channel", "ok_probe", "status_status_tool", "stall_stall_tool",
                "chatty_chatty_tool", "hang_hang_tool", "paged_t1", "paged_t2", "old_old_tool"), names);
        // the slow backend needs 3 s; the fan-out stops waiting for it after 2 s, or skips it once it is down
        assertTrue(millis < 3000, "tools/list took " + millis + " ms");
    }

    @Test
    void failuresAreCountedByBackendMethodAndReason() throws Exception {
        McpHttp c = new McpHttp(PORT);
        c.initialize(McpHttp.LATEST);
        c.call("tools/list", null);
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + System.getProperty("caravan.management.port") + "/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String series : new String[] {
                // down refused the connection at startup: it is down, and sessions start without waiting for it
                "caravan_mcp_backend_up{backend=\"down\"} 0.0",
                "caravan_mcp_backend_failures_total{backend=\"down\",method=\"initialize\",reason=\"down\"}",
                "caravan_mcp_backend_failures_total{backend=\"garbage\",method=\"tools/list\",reason=\"garbage\"}",
                "caravan_mcp_backend_failures_total{backend=\"slow\",method=\"tools/list\",reason=\"timeout\"}"}) {
            assertTrue(metrics.contains(series), "missing " + series);
        }
    }

    @Test
    void callsToBrokenBackendsReturnErrorsThatNameThem() {
        McpHttp c = new McpHttp(PORT);
        c.initialize(McpHttp.LATEST);
        JsonNode garbage = McpHttp.message(c.post(callBody("garbage_garbage_tool")));
        assertEquals(JsonRpc.INTERNAL_ERROR, garbage.at("/error/code").asInt());
        assertEquals("garbage", garbage.at("/error/data/backend").asText());
        assertEquals(5, garbage.get("id").asInt());

        JsonNode status = McpHttp.message(c.post(callBody("status_status_tool")));
        assertEquals("status", status.at("/error/data/backend").asText());
        assertTrue(status.at("/error/message").asText().contains("HTTP 500"), status::toString);

        // down was unreachable at initialize, so it is not part of the session
        JsonNode down = McpHttp.message(c.post(callBody("down_tool")));
        assertEquals(JsonRpc.INVALID_PARAMS, down.at("/error/code").asInt());
        assertTrue(down.at("/error/message").asText().contains("not part of this session"), down::toString);
    }

    @Test
    void aStreamThatGoesSilentEndsWithAnErrorEventAfterTheIdleTimeout() {
        McpHttp c = new McpHttp(PORT);
        c.initialize(McpHttp.LATEST);
        long start = System.nanoTime();
        List<McpHttp.TimedData> events = c.stream(callBody("stall_stall_tool"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(2, events.size(), events::toString);
        assertEquals("notifications/progress", events.get(0).message().get("method").asText());
        JsonNode error = events.get(1).message();
        assertEquals(5, error.get("id").asInt());
        assertEquals("stall", error.at("/error/data/backend").asText());
        assertTrue(error.at("/error/message").asText().contains("no data"), error::toString);
        assertTrue(millis >= 900 && millis < 5000, "idle timeout 1 s, took " + millis + " ms");
    }

    @Test
    void aStreamThatNeverEndsIsCutAtTheBackendTimeout() {
        McpHttp c = new McpHttp(PORT);
        c.initialize(McpHttp.LATEST);
        long start = System.nanoTime();
        List<McpHttp.TimedData> events = c.stream(callBody("chatty_chatty_tool"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        JsonNode last = events.get(events.size() - 1).message();
        assertTrue(events.size() > 5, "progress should flow until the cut: " + events.size());
        assertEquals("chatty", last.at("/error/data/backend").asText());
        assertTrue(last.at("/error/message").asText().contains("within 2s"), last::toString);
        assertTrue(millis >= 1900 && millis < 6000, "timeout 2 s, took " + millis + " ms");
    }

    @Test
    void clientDisconnectAbortsTheUpstreamRequest() throws Exception {
        McpHttp c = new McpHttp(PORT);
        c.initialize(McpHttp.LATEST);
        byte[] body = callBody("hang_hang_tool").getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", PORT)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       + "Accept: application/json, text/event-stream\r\nMcp-Session-Id: " + c.sessionId() + "\r\n"
                       + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            socket.setSoTimeout(300);
            InputStream in = socket.getInputStream();
            try {
                assertEquals(-1, in.read(), "the hanging backend never answers, so neither does the gateway");
            } catch (java.net.SocketTimeoutException expected) {
                // nothing arrived, as expected; now walk away
            }
        }
        // the backend sees its connection closed long before any timeout (300 s) would have done it
        SCRIPTED.closed("hang").get(5, TimeUnit.SECONDS);
    }

    private static List<String> toolNames(JsonNode result) {
        return StreamSupport.stream(result.get("tools").spliterator(), false).map(t -> t.get("name").asText()).toList();
    }

    @Test
    void pagedBackendsArePagedThroughAGatewayCursor() {
        McpHttp c = new McpHttp(PORT);
        c.initialize(McpHttp.LATEST);
        JsonNode first = c.call("tools/list", null).get("result");
        String cursor = first.get("nextCursor").asText();
        // the next page asks only the backend that has more, with its own cursor
        JsonNode second = c.call("tools/list", "{\"cursor\":\"" + cursor + "\"}").get("result");
        assertEquals(List.of("paged_t3", "paged_t4"), toolNames(second));
        JsonNode third = c.call("tools/list", "{\"cursor\":\"" + second.get("nextCursor").asText() + "\"}")
                .get("result");
        assertEquals(List.of("paged_t5"), toolNames(third));
        assertNull(third.get("nextCursor"));

        McpHttp other = new McpHttp(PORT);
        other.initialize(McpHttp.LATEST);
        for (JsonNode refused : List.of(other.call("tools/list", "{\"cursor\":\"" + cursor + "\"}"),
                c.call("prompts/list", "{\"cursor\":\"" + cursor + "\"}"),
                c.call("tools/list", "{\"cursor\":\"forged\"}"))) {
            assertEquals(JsonRpc.INVALID_PARAMS, refused.at("/error/code").asInt(), refused::toString);
        }
    }

    @Test
    void aBackendKeepsTheProtocolVersionItNegotiated() {
        McpHttp c = new McpHttp(PORT);
        assertEquals(McpHttp.LATEST, c.initialize(McpHttp.LATEST).get("protocolVersion").asText());
        int before = SCRIPTED.oldHeaders().size();
        assertEquals("ok old_tool", McpHttp.message(c.post(callBody("old_old_tool"), "MCP-Protocol-Version",
                McpHttp.LATEST)).at("/result/content/0/text").asText());
        assertEquals("2025-03-26", SCRIPTED.oldHeaders().get(before).get("MCP-Protocol-Version"));
    }

    @Test
    void backendsGetTheirOwnCredentialsAndNeverTheClients() {
        McpHttp c = new McpHttp(PORT);
        c.initialize(McpHttp.LATEST);
        int before = SCRIPTED.okHeaders().size();
        // (a client's Authorization: AuthGatewayTest, with a real token)
        JsonNode ok = McpHttp.message(c.post(callBody("ok_probe"), "Cookie", "session=abc", "X-Api-Key", "client-key"));
        assertEquals("ok probe", ok.at("/result/content/0/text").asText(), ok::toString);
        MultiMap seen = SCRIPTED.okHeaders().get(before);
        assertEquals("s3cret", seen.get("X-Backend-Key"));
        assertNull(seen.get("Cookie"));
        assertNull(seen.get("X-Api-Key"));
        assertNull(seen.get("Mcp-Session-Id"), "ok is stateless: it gave no session id, so it gets none");
        assertEquals(McpHttp.LATEST, seen.get("MCP-Protocol-Version"));
        seen.names().forEach(n -> assertFalse(n.toLowerCase().startsWith("camel"), "leaked " + n));
    }
}
