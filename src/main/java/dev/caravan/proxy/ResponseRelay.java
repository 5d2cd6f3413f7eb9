package dev.caravan.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * Decides how an upstream answer reaches the client. One instance serves one request, so it may keep state (an SSE
 * parser, token counts). Every method runs on the Vert.x event loop and must not block.
 */
public interface ResponseRelay {

    /**
     * Called once the upstream status line and headers arrived. Returning false captures the answer into the exchange
     * instead (status in {@code CamelHttpResponseCode}, body as bytes) so the route can retry, convert or rewrite it.
     */
    boolean relays(int status, MultiMap upstreamHeaders);

    /** Writes the client's status line and headers; nothing of the body is written yet. */
    void head(int status, MultiMap upstreamHeaders, HttpServerResponse client);

    /** What to send the client for one upstream chunk; may be the chunk itself or an empty buffer. */
    Buffer chunk(Buffer data);

    /** Last bytes to send when the upstream answer ended normally, or null. */
    Buffer end();

    /**
     * Last bytes to send when the upstream broke off (timeout, reset) after the head went out, so the client gets an
     * error in the protocol it speaks rather than a truncated stream. Null ends the response as is.
     */
    Buffer fail(UpstreamException error);
}
