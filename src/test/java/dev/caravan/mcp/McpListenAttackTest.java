package dev.caravan.mcp;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A hostile 2026-07-28 client's filter for subscriptions/listen: what the schema does not define is refused. */
class McpListenAttackTest {

    private static JsonRpc.Message listen(String notifications) {
        return JsonRpc.parse(("{\"jsonrpc\":\"2.0\",\"id\":\"l1\",\"method\":\"subscriptions/listen\",\"params\":"
                              + "{\"notifications\":" + notifications + "}}").getBytes(StandardCharsets.UTF_8));
    }

    /** new speaks 2026-07-28, has tools and takes resource subscriptions */
    private static Map<String, McpSessions.Backend> held() {
        Map<String, McpSessions.Backend> held = new LinkedHashMap<>();
        held.put("new", new McpSessions.Backend(null, ModernRequest.VERSION, Set.of("tools", "resources",
                BackendAnswer.SUBSCRIBE)));
        return held;
    }

    /**
     * A flag that is not a boolean, resource subscriptions that are not a list of URIs: -32602 with the listen's id.
     * They were read leniently: "true" and 1 were honoured as true, the values of an object as URIs, a URI that is
     * not a string as the empty one (which, as a prefix, matches every resource's update), a single string as none.
     */
    @Test
    void aFilterOutsideTheSchemaIsRefused() {
        for (String odd : new String[] {"{\"toolsListChanged\":\"true\"}", "{\"promptsListChanged\":1}",
                "{\"resourcesListChanged\":{}}", "{\"resourceSubscriptions\":{\"a\":\"file:///a\"}}",
                "{\"resourceSubscriptions\":\"file:///a\"}", "{\"resourceSubscriptions\":[{}]}",
                "{\"resourceSubscriptions\":[7]}", "{\"resourceSubscriptions\":null}"}) {
            McpException refused = assertThrows(McpException.class, () -> McpListen.of(listen(odd), held(), false,
                    null), odd);
            assertEquals(JsonRpc.INVALID_PARAMS, refused.code(), odd);
            assertEquals("l1", refused.id().asText(), odd);
        }
    }

    /** Held: a flag the gateway does not know (a later extension's) is not honoured, and not refused either. */
    @Test
    void anUnknownFlagIsLeftOut() {
        String acknowledged = McpListen.of(listen("{\"toolsListChanged\":true,\"taskIds\":[\"t\"],\"x\":1}"), held(),
                false, null).acknowledged();
        assertTrue(acknowledged.contains("\"notifications\":{\"toolsListChanged\":true}"), acknowledged);
    }
}
