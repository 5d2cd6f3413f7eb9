package dev.caravan.mcp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 */
final class MergedStream {

    static final long KEEP_ALIVE_MILLIS = 25_000;

    private final Vertx vertx;
    private final HttpServerResponse client;
    private final String sessionId;
    private final boolean qualified;
    private final Map<String, String> lastIds;
    private final List<Runnable> aborts = new ArrayList<>();
    private long keepAlive = -1;

    MergedStream(Vertx vertx, HttpServerResponse client, String sessionId, boolean qualified, String lastEventId) {
        this.vertx = vertx;
        this.client = client;
        this.sessionId = sessionId;
        this.qualified = qualified;
        this.lastIds = new LinkedHashMap<>(McpIds.lastIds(lastEventId));
    }

    /** The Last-Event-ID to resume {@code backend} with, or null. */
    String lastEventId(String backend) {
        return lastIds.get(backend);
    }

    ResponseRelay relayFor(String backend) {
        return new Part(backend);
    }

    /**
     * Answers the client at once: some MCP servers (the Java SDK's) send no response head on GET until their first
     * event, and the client must not wait for that.
     */
    void start() {
        McpStreamRelay.streamHead(client, sessionId);
        client.setChunked(true);
        client.write(": stream open\n\n");
        keepAlive = vertx.setPeriodic(KEEP_ALIVE_MILLIS, t -> {
            if (!client.ended() && !client.closed()) {
                client.write(": keep-alive\n\n");
            }
        });
    }

    /** Every backend stream is over: end the client's. */
    void close() {
        if (keepAlive >= 0) {
            vertx.cancelTimer(keepAlive);
        }
        ResponseRelay.endWith(client, null);
    }

    private final class Part implements ResponseRelay {

        private final BackendEvents events;

        Part(String backend) {
            events = new BackendEvents(backend, null, qualified, lastIds);
        }

        @Override
        public boolean relays(int status, MultiMap upstreamHeaders) {
            return McpStreamRelay.isEventStream(status, upstreamHeaders);
        }

        @Override
        public void head(int status, MultiMap upstreamHeaders, HttpServerResponse response) {
            // the client's head went out in start()
        }

        @Override
        public Buffer chunk(Buffer data) {
            return events.feed(data);
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
