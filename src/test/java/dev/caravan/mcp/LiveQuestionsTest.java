package dev.caravan.mcp;

import java.nio.charset.StandardCharsets;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The calls held for a 2026-07-28 client's repeat: found by their requestState, once, in their session, bounded. */
class LiveQuestionsTest {

    private final Vertx vertx = Vertx.vertx();
    private final LiveQuestions live = new LiveQuestions(vertx, new McpSessions("", "", 60_000), 60_000);
    private final JsonRpc.Message call = JsonRpc.parse(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t\"}}"
                    .getBytes(StandardCharsets.UTF_8));

    @AfterEach
    void stop() {
        vertx.close();
    }

    private McpStreamRelay relay() {
        return new McpStreamRelay("kb", call, null, true, null, null, null, null);
    }

    @Test
    void aStateNamesItsCallOnceAndOnlyInItsSession() {
        McpStreamRelay held = relay();
        String state = live.hold("session-a", held, () -> { });
        assertNull(live.key(state, "session-b"), "another session's state");
        assertNull(live.key("a backend's own state", "session-a"));
        String key = live.key(state, "session-a");
        assertSame(held, live.peek(key));
        assertSame(held, live.take(key));
        assertNotNull(live.key(state, "session-a"), "still the gateway's, though nothing is held for it");
        assertNull(live.take(key), "taken once");
    }

    @Test
    void onlySoManyCallsAreHeldAtOnce() {
        String last = null;
        for (int i = 0; i < LiveQuestions.MAX_HELD; i++) {
            assertTrue(live.room());
            last = live.hold("s", relay(), () -> { });
        }
        assertFalse(live.room(), "a client that need not stay connected could hold backend connections cheaply");
        live.take(live.key(last, "s"));
        assertTrue(live.room());
    }
}
