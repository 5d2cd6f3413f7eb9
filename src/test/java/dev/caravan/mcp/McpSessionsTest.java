package dev.caravan.mcp;

import java.util.Base64;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class McpSessionsTest {

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String OTHER_KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef"
            .getBytes());

    private static McpSessions.Session session(String subject, long issuedAt) {
        return new McpSessions.Session("2025-11-25", Map.of(
                "kb", new McpSessions.Backend(null, "2025-06-18", Set.of("tools", "resources")),
                "slack", new McpSessions.Backend("abc-123", "2025-11-25", Set.of("tools"))), subject, issuedAt, true);
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
    void badKeysAreReportedAtStartup() {
        assertThrows(IllegalArgumentException.class, () -> new McpSessions("not-base64!", "", 1));
        assertThrows(IllegalArgumentException.class,
                () -> new McpSessions(Base64.getEncoder().encodeToString(new byte[10]), "", 1));
    }
}
