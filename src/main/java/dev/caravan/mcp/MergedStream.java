package dev.caravan.mcp;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import dev.caravan.proxy.ResponseRelay;
import dev.caravan.proxy.UpstreamException;

/**
 * The client's standalone stream ({@code GET /mcp}): the GET streams of every backend of the session merged into one
 * SSE response. Events are translated per backend ({@link BackendEvents}); event ids are composite, so a
 * reconnecting client's Last-Event-ID resumes each backend where it was. A comment every {@value #KEEP_ALIVE_MILLIS}
 * ms keeps intermediaries from closing a quiet stream and reveals a client that went away. All methods run on the
 * client request's event loop.
 * <p>
 * The client's answer waits until every backend stream is open: a client that got its answer goes on (calls a tool
 * that asks it something on this stream), and a backend whose own stream is not open yet would drop what it sends.
 * A backend stream counts as open when its answer head arrives, or when it ended or failed; servers that send no
 * head before their first event (the MCP Java SDK's) count as open after {@code openWaitMillis}. Events that arrive
 * before the client's answer are kept and sent right after it.
 */
final class MergedStream {

    static final long KEEP_ALIVE_MILLIS = 25_000;

    private final Vertx vertx;
    private final HttpServerResponse client;
    private final String sessionId;
    private final boolean qualified;
    private final McpSessions sessions;
    private final Map<String, String> lastIds;
    private final McpListen listen;
    private final List<Runnable> aborts = new ArrayList<>();
    private final Set<String> opening = new HashSet<>();
    private final Buffer early = Buffer.buffer();
    private boolean attached;
    private boolean anyOpen;
    private long openWait = -1;
    private long keepAlive = -1;

    /**
     * @param listen a 2026-07-28 client's listen, which the stream is for (null for GET): it begins with what is
     *               honoured, carries only what was asked for and ends with the listen's result
     */
    MergedStream(Vertx vertx, McpSessions sessions, HttpServerResponse client, String sessionId, boolean qualified,
                 String lastEventId, McpListen listen) {
        this.vertx = vertx;
        this.listen = listen;
        this.client = client;
        this.sessionId = sessionId;
        this.qualified = qualified;
        this.sessions = sessions;
        this.lastIds = new LinkedHashMap<>(McpIds.lastIds(lastEventId));
    }

    McpListen listen() {
        return listen;
    }

    /** The Last-Event-ID to resume {@code backend} with, or null. */
    String lastEventId(String backend) {
        return lastIds.get(backend);
    }

    /** The relay of one backend's stream, whose requests to the client get ids sealed for {@code sub}'s session. */
    ResponseRelay relayFor(String backend, McpCall sub) {
        return new Part(backend, new ServerRequestIds(sessions, sub, backend));
    }

    /**
     * Waits for the streams of {@code backends} to open, at most {@code openWaitMillis} for those that send no head.
     */
    void start(Collection<String> backends, long openWaitMillis) {
        opening.addAll(backends);
        openWait = vertx.setTimer(openWaitMillis, t -> {
            openWait = -1;
            // the streams still opening sent no head: taken as open
            anyOpen |= !opening.isEmpty();
            if (anyOpen) {
                attach();
            }
        });
    }

    /** A backend stream's answer head arrived. */
    private void opened(String backend) {
        anyOpen = true;
        if (opening.remove(backend) && opening.isEmpty()) {
            attach();
        }
    }

    /** A backend stream is over (or never opened: 405, down, failed). */
    void ended(String backend) {
        if (opening.remove(backend) && opening.isEmpty() && anyOpen) {
            attach();
        }
    }

    /** Answers the client: the head, then what the backends sent so far. */
    private void attach() {
        if (attached || client.ended() || client.closed()) {
            return;
        }
        attached = true;
        if (openWait >= 0) {
            vertx.cancelTimer(openWait);
        }
        McpStreamRelay.streamHead(client, sessionId);
        client.setChunked(true);
        client.write(Buffer.buffer(": stream open\n\n").appendString(listen == null ? "" : listen.acknowledged())
                .appendBuffer(early));
        keepAlive = vertx.setPeriodic(KEEP_ALIVE_MILLIS, t -> {
            if (!client.ended() && !client.closed()) {
                client.write(": keep-alive\n\n");
            }
        });
    }

    /**
     * Every backend stream is over: end the client's.
     *
     * @return false when no backend stream ever opened and the client got no answer yet
     */
    boolean close() {
        if (openWait >= 0) {
            vertx.cancelTimer(openWait);
        }
        // a listen is answered even when no backend could be heard: it is acknowledged and ends
        if (anyOpen || listen != null) {
            attach();
        }
        if (keepAlive >= 0) {
            vertx.cancelTimer(keepAlive);
        }
        if (!attached) {
            return false;
        }
        ResponseRelay.endWith(client, listen == null ? null : Buffer.buffer(listen.ended()));
        return true;
    }

    private final class Part implements ResponseRelay {

        private final String backend;
        private final BackendEvents events;

        Part(String backend, ServerRequestIds clientIds) {
            this.backend = backend;
            events = new BackendEvents(backend, null, qualified, lastIds, clientIds, null, listen);
        }

        @Override
        public boolean relays(int status, MultiMap upstreamHeaders) {
            return McpStreamRelay.isEventStream(status, upstreamHeaders);
        }

        @Override
        public void head(int status, MultiMap upstreamHeaders, HttpServerResponse response) {
            // the client's head goes out once every backend stream is open
            opened(backend);
        }

        @Override
        public Buffer chunk(Buffer data) {
            Buffer out = events.feed(data);
            if (attached) {
                return out;
            }
            early.appendBuffer(out);
            return Buffer.buffer();
        }

        @Override
        public void end(HttpServerResponse response) {
            // the other backends' streams go on; the fan-out's completion ends the client stream
        }

        @Override
        public void fail(UpstreamException error, HttpServerResponse response) {
            // likewise: one backend's stream breaking does not end the others
        }

        @Override
        public void onClientGone(HttpServerResponse response, Runnable abort) {
            if (aborts.isEmpty()) {
                response.closeHandler(v -> List.copyOf(aborts).forEach(Runnable::run));
            }
            aborts.add(abort);
        }
    }
}
