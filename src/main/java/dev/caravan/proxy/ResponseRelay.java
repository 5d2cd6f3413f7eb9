package dev.caravan.proxy;

import java.util.Map;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * Decides how an upstream answer reaches the client. One instance serves one upstream call, so it may keep state (an
 * SSE parser, token counts); several calls may share a client response (a merged stream), which is why the relay, not
 * the call, writes the head and ends the response. Every method runs on a Vert.x event loop and must not block.
 */
public interface ResponseRelay {

    /**
     * Called once the upstream status line and headers arrived. Returning false captures the answer into the exchange
     * instead (status in {@code CamelHttpResponseCode}, body as bytes) so the route can retry, convert or rewrite it.
     */
    boolean relays(int status, MultiMap upstreamHeaders);

    /** Writes the client's status line and headers (if not written yet); nothing of the body is written yet. */
    void head(int status, MultiMap upstreamHeaders, HttpServerResponse client);

    /** What to send the client for one upstream chunk; may be the chunk itself or an empty buffer. */
    Buffer chunk(Buffer data);

    /** The upstream answer ended normally: write what is left and end the client response (if this relay owns it). */
    void end(HttpServerResponse client);

    /**
     * The upstream broke off (timeout, reset) after the head went out: tell the client in the protocol it speaks rather
     * than truncating the stream, and end the response (if this relay owns it).
     */
    void fail(UpstreamException error, HttpServerResponse client);

    /** What the relayed answer said, as attributes of the upstream call's trace span (e.g. tokens used). */
    default Map<String, Object> traceAttributes() {
        return Map.of();
    }

    /** Arranges for {@code abort} to run when the client goes away, so the upstream call stops too. */
    default void onClientGone(HttpServerResponse client, Runnable abort) {
        // a connection closed by the last write (a client that asked for no keep-alive) lost nothing
        client.closeHandler(v -> {
            if (!client.ended()) {
                abort.run();
            }
        });
    }

    /** Ends a response with optional last bytes, unless the client is already gone. */
    static void endWith(HttpServerResponse client, Buffer tail) {
        if (client.ended() || client.closed()) {
            return;
        }
        if (tail != null && tail.length() > 0) {
            client.end(tail);
        } else {
            client.end();
        }
    }
}
