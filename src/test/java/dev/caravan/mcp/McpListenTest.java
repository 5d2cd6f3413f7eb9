package dev.caravan.mcp;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a merged subscriptions/listen honours, and what of the backends' streams its client hears. */
class McpListenTest {

    private static JsonRpc.Message listen(String notifications) {
        return JsonRpc.parse(("{\"jsonrpc\":\"2.0\",\"id\":\"l1\",\"method\":\"subscriptions/listen\",\"params\":"
                              + "{\"notifications\":" + notifications + "}}").getBytes(StandardCharsets.UTF_8));
    }

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) JsonRpc.MAPPER.readTree(text);
    }

    /** kb speaks 2025-11-25 and has tools; new speaks 2026-07-28 and takes resource subscriptions */
    private static Map<String, McpSessions.Backend> held() {
        Map<String, McpSessions.Backend> held = new LinkedHashMap<>();
        held.put("kb", new McpSessions.Backend("s", "2025-11-25", Set.of("tools", "resources")));
        held.put("new", new McpSessions.Backend(null, ModernRequest.VERSION, Set.of("resources",
                BackendAnswer.SUBSCRIBE)));
        return held;
    }

    @Test
    void onlyWhatSomeBackendCanTellIsHonoured() throws Exception {
        McpListen listen = McpListen.of(listen("{\"toolsListChanged\":true,\"promptsListChanged\":true,"
                + "\"resourceSubscriptions\":[\"new+file:///a\",\"kb+docs://x\"]}"), held(), false, null);
        String acknowledged = listen.acknowledged();
        assertTrue(acknowledged.contains("\"notifications\":{\"toolsListChanged\":true}"), acknowledged);
        assertTrue(acknowledged.contains("\"io.modelcontextprotocol/subscriptionId\":\"l1\""), acknowledged);
        assertThrows(McpException.class, () -> McpListen.of(listen("[]"), held(), false, null));
    }

    @Test
    void theClientHearsOnlyTheNotificationsItAskedForTaggedWithItsListen() throws Exception {
        McpListen listen = McpListen.of(listen("{\"toolsListChanged\":true}"), held(), false, null);
        ObjectNode heard = listen.heard(json("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}"));
        assertEquals("l1", heard.at("/params/_meta/io.modelcontextprotocol~1subscriptionId").asText());
        for (String other : new String[] {
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/prompts/list_changed\"}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{}}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"error\"}}",
            "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"roots/list\"}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/subscriptions/acknowledged\",\"params\":{}}",
            "{\"jsonrpc\":\"2.0\",\"id\":\"l1\",\"result\":{\"resultType\":\"complete\"}}"}) {
            assertNull(listen.heard(json(other)), other);
        }
        assertTrue(listen.ended().contains("\"id\":\"l1\",\"result\":{\"resultType\":\"complete\""), listen.ended());
    }
}
