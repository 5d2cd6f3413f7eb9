package dev.caravan.mcp;

import java.util.Base64;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class McpSessionsTest {

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String OTHER_KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef"
            .getBytes());

    private static final ObjectNode CLIENT = json("{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{"
            + "\"sampling\":{},\"roots\":{\"listChanged\":true},\"experimental\":{\"x\":{}}},"
            + "\"clientInfo\":{\"name\":\"claude-code\",\"version\":\"2.1\",\"icons\":[{\"src\":\"data:,\"}]}}");

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) JsonRpc.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static McpSessions.Session session(String subject, long issuedAt) {
        return new McpSessions.Session("2025-11-25", Map.of(
                "kb", new McpSessions.Backend(null, "2025-06-18", Set.of("tools", "resources")),
                "slack", new McpSessions.Backend("abc-123", "2025-11-25", Set.of("tools"))), subject, issuedAt, true,
                McpSessions.clientParams(CLIENT));
    }

    @Test
    void sealedSessionOpensOnAnyInstanceWithTheKey() {
        McpSessions.Session original = session("alice", System.currentTimeMillis());
        String id = new McpSessions(KEY, "", 60_000).seal(original);
        McpSessions.Session opened = new McpSessions(KEY, "", 60_000).open(id, "alice");
        assertEquals(original, opened);
        assertEquals(true, id.matches("[A-Za-z0-9_-]+"), "visible ASCII only, as the spec requires");
    }

    @Test
    void previousKeyStillOpensDuringRotation() {
        String id = new McpSessions(OTHER_KEY, "", 60_000).seal(session("", System.currentTimeMillis()));
        McpSessions rotated = new McpSessions(KEY, OTHER_KEY, 60_000);
        assertEquals("", rotated.open(id, null).subject());
        assertEquals(404, assertThrows(McpException.class, () -> new McpSessions(KEY, "", 60_000).open(id, ""))
                .httpStatus());
    }

    @Test
    void tamperedExpiredForeignOrEndedIdsAreNotFound() {
        McpSessions sessions = new McpSessions(KEY, "", 60_000);
        String id = sessions.seal(session("alice", System.currentTimeMillis()));
        char flipped = id.charAt(20) == 'A' ? 'B' : 'A';
        String tampered = id.substring(0, 20) + flipped + id.substring(21);
        String expired = sessions.seal(session("alice", System.currentTimeMillis() - 61_000));
        for (Runnable attempt : new Runnable[] {
                () -> sessions.open(tampered, "alice"),
                () -> sessions.open("not base64 at all!", "alice"),
                () -> sessions.open("", "alice"),
                () -> sessions.open(expired, "alice"),
                () -> sessions.open(id, "mallory")}) {
            assertEquals(404, assertThrows(McpException.class, attempt::run).httpStatus());
        }
        sessions.end(id, sessions.open(id, "alice"));
        assertEquals(404, assertThrows(McpException.class, () -> sessions.open(id, "alice")).httpStatus());
    }

    @Test
    void theClientsInitializeIsKeptInShort() {
        ObjectNode kept = McpSessions.clientParams(CLIENT);
        assertEquals(json("{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{\"roots\":{\"listChanged\":true},"
                          + "\"sampling\":{}},\"clientInfo\":{\"name\":\"claude-code\",\"version\":\"2.1\"}}"), kept);
        ObjectNode huge = json("{\"clientInfo\":{\"name\":\"" + "n".repeat(10_000) + "\"},\"capabilities\":{"
                               + "\"sampling\":{\"pad\":\"" + "p".repeat(10_000) + "\"}}}");
        assertTrue(JsonRpc.bytes(McpSessions.clientParams(huge)).length < 300);
    }

    @Test
    void aRequestIdOfABackendOpensOnlyInItsSession() {
        McpSessions sessions = new McpSessions(KEY, "", 60_000);
        for (JsonNode id : new JsonNode[] {IntNode.valueOf(0), TextNode.valueOf("a:b\"c")}) {
            String sealed = sessions.sealServerRequest("session-1", "everything", "backend-session", id);
            assertEquals(new McpSessions.ServerRequest("everything", "backend-session", id),
                    new McpSessions(KEY, "", 60_000).openServerRequest(TextNode.valueOf(sealed), "session-1"));
            assertNull(sessions.openServerRequest(TextNode.valueOf(sealed), "session-2"));
            assertNull(new McpSessions(OTHER_KEY, "", 60_000).openServerRequest(TextNode.valueOf(sealed), "session-1"));
        }
        assertNull(sessions.openServerRequest(TextNode.valueOf("everything:1"), "session-1"));
        assertNull(sessions.openServerRequest(IntNode.valueOf(1), "session-1"));
        // a cursor is sealed with the same key, but it is not a request id
        String cursor = sessions.sealCursor("session-1", "tools/list", Map.of("kb", "c2"));
        assertNull(sessions.openServerRequest(TextNode.valueOf(cursor), "session-1"));
    }

    @Test
    void aRenewedBackendSessionIsUsedUntilTheSessionEnds() {
        McpSessions sessions = new McpSessions(KEY, "", 60_000);
        String id = sessions.seal(session("alice", System.currentTimeMillis()));
        McpSessions.Backend fresh = new McpSessions.Backend("def-456", "2025-11-25", Set.of("tools", "prompts"));
        McpSessions.Session renewed = sessions.renew(id, sessions.open(id, "alice"), "slack", fresh);
        assertEquals(fresh, renewed.backends().get("slack"));
        assertEquals(renewed, sessions.open(id, "alice"));
        // another replica knows nothing of it
        assertEquals("abc-123", new McpSessions(KEY, "", 60_000).open(id, "alice").backends().get("slack").sessionId());
        sessions.end(id, renewed);
        assertEquals(404, assertThrows(McpException.class, () -> sessions.open(id, "alice")).httpStatus());
    }

    @Test
    void badKeysAreReportedAtStartup() {
        assertThrows(IllegalArgumentException.class, () -> new McpSessions("not-base64!", "", 1));
        assertThrows(IllegalArgumentException.class,
                () -> new McpSessions(Base64.getEncoder().encodeToString(new byte[10]), "", 1));
    }
}
