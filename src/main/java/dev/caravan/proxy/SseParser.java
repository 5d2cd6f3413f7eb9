package dev.caravan.proxy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

import io.vertx.core.buffer.Buffer;

/**
 * Incremental Server-Sent Events parser (WHATWG rules): bytes arrive in arbitrary TCP chunks, events come out whole.
 * Lines end in LF, CR or CRLF (a CRLF split across two chunks counts once). Unlike a browser it also reports events
 * without data (an MCP server primes a stream with an id and empty data) and comment lines, so a proxy can pass them
 * on, and where each event ends in the byte stream ({@link #position()}), so a proxy can relay whole events only.
 */
public final class SseParser {

    /** One event block; a field that did not occur is null. A comment line is reported as its own event. */
    public record Event(String id, String event, String data, Long retry, String comment) {

        public static Event data(String data) {
            return new Event(null, null, data, null, null);
        }

        public boolean isComment() {
            return comment != null;
        }

        /** The event in wire format, ending with the blank line that dispatches it (a comment: just its line). */
        public String serialize() {
            StringBuilder sb = new StringBuilder(data == null ? 32 : data.length() + 32);
            if (comment != null) {
                return sb.append(':').append(comment).append('\n').toString();
            }
            if (id != null) {
                sb.append("id: ").append(id).append('\n');
            }
            if (event != null) {
                sb.append("event: ").append(event).append('\n');
            }
            if (retry != null) {
                sb.append("retry: ").append(retry).append('\n');
            }
            if (data != null) {
                int start = 0;
                int nl;
                while ((nl = data.indexOf('\n', start)) >= 0) {
                    sb.append("data: ").append(data, start, nl).append('\n');
                    start = nl + 1;
                }
                sb.append("data: ").append(data, start, data.length()).append('\n');
            }
            return sb.append('\n').toString();
        }
    }

    private final Consumer<Event> sink;
    private final int maxEventBytes;
    private byte[] line = new byte[256];
    private int lineLength;
    private boolean afterCr;
    private int eventBytes;
    private long position;
    private String id;
    private String event;
    private StringBuilder data;
    private Long retry;

    /**
     * @param sink          receives every complete event
     * @param maxEventBytes an event larger than this is an error (protects memory against a hostile upstream)
     */
    public SseParser(Consumer<Event> sink, int maxEventBytes) {
        this.sink = sink;
        this.maxEventBytes = maxEventBytes;
    }

    public void feed(Buffer chunk) {
        feed(chunk.getBytes());
    }

    public void feed(byte[] bytes) {
        for (byte b : bytes) {
            position++;
            if (b == '\n' && afterCr) {
                afterCr = false;
                continue;
            }
            afterCr = b == '\r';
            if (b == '\n' || b == '\r') {
                endLine();
            } else {
                if (lineLength == line.length) {
                    line = Arrays.copyOf(line, line.length * 2);
                }
                line[lineLength++] = b;
                if (++eventBytes > maxEventBytes) {
                    throw new IllegalStateException("server-sent event larger than " + maxEventBytes + " bytes");
                }
            }
        }
    }

    /**
     * How many bytes were fed so far. Read in the sink, it is where the reported event ends in the stream, its
     * terminating line end included; a proxy that relays whole events cuts the bytes there.
     */
    public long position() {
        return position;
    }

    /** Whether the bytes fed so far end between events: no line and no field of an event pending. */
    public boolean idle() {
        return lineLength == 0 && id == null && event == null && data == null && retry == null;
    }

    private void endLine() {
        if (lineLength == 0) {
            dispatch();
            return;
        }
        String text = new String(line, 0, lineLength, StandardCharsets.UTF_8);
        lineLength = 0;
        if (text.charAt(0) == ':') {
            sink.accept(new Event(null, null, null, null, text.substring(1)));
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "data" -> {
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            }
            case "event" -> event = value;
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    id = value;
                }
            }
            case "retry" -> {
                if (!value.isEmpty() && value.chars().allMatch(Character::isDigit)) {
                    retry = Long.parseLong(value);
                }
            }
            default -> {
                // unknown fields are ignored, as the SSE standard says
            }
        }
    }

    private void dispatch() {
        eventBytes = 0;
        if (id == null && event == null && data == null && retry == null) {
            return;
        }
        Event e = new Event(id, event, data == null ? null : data.toString(), retry, null);
        id = null;
        event = null;
        data = null;
        retry = null;
        sink.accept(e);
    }
}
