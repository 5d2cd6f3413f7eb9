package dev.caravan.mcp;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.vertx.core.Vertx;

/**
 * The questions a backend of the older generation asks a 2026-07-28 client in the middle of a call (elicitation,
 * sampling, roots), held while the client answers them. The backend asks on its open call and waits; the client's
 * generation has no such request, so the gateway ends the client's answer with {@code input_required} and the
 * questions, keeps the backend's call open ({@link McpStreamRelay#park}), and when the client repeats its call with
 * the answers and the {@code requestState} it was given, gives the backend its answers and streams the rest of the
 * same call to the repeated request. The held call lives on the replica that asked: a repeat that reaches another
 * replica is told to call again afresh.
 */
public final class LiveQuestions {

    private final Vertx vertx;
    private final McpSessions sessions;
    private final long answerTimeoutMillis;
    /**
     * calls held at once: a client need not stay connected while its call is held, so without a bound it could hold
     * backend connections cheaply
     */
    static final int MAX_HELD = 1024;
    private final Map<String, McpStreamRelay> held = new ConcurrentHashMap<>();

    /** @param answerTimeoutMillis how long a held call waits for the client to repeat it with the answers */
    public LiveQuestions(Vertx vertx, McpSessions sessions, long answerTimeoutMillis) {
        this.vertx = vertx;
        this.sessions = sessions;
        this.answerTimeoutMillis = answerTimeoutMillis;
    }

    /**
     * Holds {@code call}'s relay for the client of the session {@code sessionId}; the {@code requestState} the client
     * is to send back. Not repeated in time, the backend call is given up ({@code expired}).
     */
    String hold(String sessionId, McpStreamRelay relay, Runnable expired) {
        String key = UUID.randomUUID().toString();
        held.put(key, relay);
        vertx.setTimer(answerTimeoutMillis, t -> {
            if (held.remove(key, relay)) {
                expired.run();
            }
        });
        return sessions.sealQuestion(sessionId, key);
    }

    /**
     * The key of the held call a repeated request's {@code requestState} names, opened once per request; null for a
     * state the gateway did not make for this session (a backend's own is passed on).
     */
    String key(String requestState, String sessionId) {
        return sessions.openQuestion(requestState, sessionId);
    }

    /** The held call of {@code key}, taken (a state is good once); null when nothing is held for it any more. */
    McpStreamRelay take(String key) {
        return held.remove(key);
    }

    /** The held call of {@code key}, left held (a repeat that cannot take it over yet). */
    McpStreamRelay peek(String key) {
        return held.get(key);
    }

    /** Whether another call may be held; if not, its question ends it with an error as an undeclared one does. */
    boolean room() {
        return held.size() < MAX_HELD;
    }
}
