package dev.caravan.core;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

/**
 * A reply body the gateway made itself. platform-http writes a Vert.x {@link Buffer} straight to the response with a
 * Content-Length (a byte[] would take a detour through an InputStream read on a worker thread, measured as the largest
 * single cost of a small reply). Unlike a ByteBuffer, reading it does not use it up: a tracer, the message history of
 * Camel's dev profile or a route step may look at the body before it is written, and the client still gets all of it.
 */
public final class ReplyBody {

    private ReplyBody() {
    }

    /** The bytes as a body, not copied. */
    public static Buffer of(byte[] bytes) {
        return Buffer.buffer(Unpooled.wrappedBuffer(bytes));
    }

    /** The length of a reply body the gateway made, else 0. */
    public static int length(Object body) {
        return body instanceof Buffer b ? b.length() : body instanceof byte[] b ? b.length : 0;
    }
}
