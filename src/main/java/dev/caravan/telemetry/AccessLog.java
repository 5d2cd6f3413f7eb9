package dev.caravan.telemetry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.caravan.core.ReplyBody;

/**
 * One structured JSON line per request, to stdout as is or to the file {@code caravan.access-log.file} names, written
 * in batches by {@link AccessLogWriter}. Callers pass only what is safe to keep: no tokens, no secrets, and bodies
 * only when {@code caravan.access-log.bodies} asks for them ({@link #body}).
 */
public final class AccessLog {

    private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ThreadLocal<ByteArrayBuilder> BUFFER = ThreadLocal.withInitial(() -> new ByteArrayBuilder(1024));
    private static final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    /** where lines go: null until the first line or configure; writerTarget is its file, "" for stdout (use) */
    private static volatile AccessLogWriter writer;
    private static String writerTarget;

    /** the most of a body a line keeps */
    private static final int MAX_BODY = 2000;
    private static volatile boolean bodies;
    /** "yyyy-MM-ddTHH:mm:ss" of the second lines are being written in: every line of a second shares it */
    private static volatile Second second = new Second(Long.MIN_VALUE, "");

    private record Second(long epochSecond, String text) {
    }

    private AccessLog() {
    }

    /**
     * Sets where the lines go and whether they carry bodies.
     *
     * @param file a file for the lines (appended to); blank keeps stdout
     */
    public static synchronized void configure(String file, boolean withBodies) throws IOException {
        bodies = withBodies;
        use(file == null ? "" : file.strip());
    }

    /** The writer of {@code target} ("" for stdout), made unless lines already go there; the one before is closed. */
    private static synchronized AccessLogWriter use(String target) throws IOException {
        if (!target.equals(writerTarget)) {
            AccessLogWriter previous = writer;
            writer = target.isEmpty() ? AccessLogWriter.stdout() : AccessLogWriter.file(target);
            writerTarget = target;
            if (previous != null) {
                previous.close();
            }
        }
        return writer;
    }

    /** Writes every line queued so far, now (Camel calls it once it stopped, after the last request). */
    public static void flush() {
        AccessLogWriter w = writer;
        if (w != null) {
            w.flush();
        }
    }

    /**
     * Hands every line from now on also to {@code listener}, as text, on the thread that wrote it (tests read the
     * lines this way).
     */
    public static void listen(Consumer<String> listener) {
        listeners.add(listener);
    }

    /** A body for a line, cut to 2000 characters; null unless bodies were asked for. */
    public static String body(Object body) {
        if (!bodies || body == null) {
            return null;
        }
        String text = body instanceof byte[] b ? new String(b, StandardCharsets.UTF_8)
                : body.toString();
        return text.length() <= MAX_BODY ? text : text.substring(0, MAX_BODY) + "...";
    }

    /**
     * The fields every line starts with: time, kind ({@code mcp}, {@code llm}), HTTP method and path, and the bytes of
     * the request and of the answer (as streamed, or as the route is about to send it).
     */
    public static Map<String, Object> start(String kind, Exchange exchange) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", time(Instant.now()));
        line.put("kind", kind);
        if (exchange.getIn() instanceof HttpMessage http) {
            HttpServerRequest request = http.getRequest();
            line.put("method", request.method().name());
            line.put("path", request.path());
            line.put("bytes_in", request.bytesRead());
            HttpServerResponse response = request.response();
            line.put("bytes_out", response.ended() || response.headWritten() ? response.bytesWritten()
                    : ReplyBody.length(exchange.getMessage().getBody()));
        }
        return line;
    }

    /** Writes the fields in their map's order: queued as one line of UTF-8 for the writer's next batch. */
    public static void write(Map<String, Object> fields) {
        byte[] line;
        AccessLogWriter w = writer;
        try {
            line = utf8(fields);
            if (w == null) {
                w = use(""); // a line before any configure (a unit test): stdout
            }
        } catch (IOException e) {
            LOG.warn("access log line not written: {}", e.getMessage());
            return;
        }
        w.add(line);
        if (!listeners.isEmpty()) {
            String text = new String(line, 0, line.length - 1, StandardCharsets.UTF_8);
            listeners.forEach(l -> l.accept(text));
        }
    }

    /** The line as JSON text (tests compare it with what Jackson writes). */
    static String json(Map<String, Object> fields) throws IOException {
        byte[] line = utf8(fields);
        return new String(line, 0, line.length - 1, StandardCharsets.UTF_8);
    }

    /**
     * The line and its newline as UTF-8, the fields streamed straight to JSON by type (text, numbers, booleans, lists);
     * anything else goes through Jackson's serializers. The buffer is the thread's own, reused line after line.
     */
    private static byte[] utf8(Map<String, Object> fields) throws IOException {
        ByteArrayBuilder bytes = BUFFER.get();
        bytes.reset();
        try (JsonGenerator out = JSON.getFactory().createGenerator(bytes, JsonEncoding.UTF8)) {
            value(out, fields);
        }
        bytes.write('\n');
        return bytes.toByteArray();
    }

    private static void value(JsonGenerator out, Object value) throws IOException {
        if (value == null) {
            out.writeNull();
        } else if (value instanceof String s) {
            out.writeString(s);
        } else if (value instanceof Boolean b) {
            out.writeBoolean(b);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            out.writeNumber(((Number) value).longValue());
        } else if (value instanceof Double d) {
            out.writeNumber(d);
        } else if (value instanceof Map<?, ?> map) {
            out.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.writeFieldName(String.valueOf(e.getKey()));
                value(out, e.getValue());
            }
            out.writeEndObject();
        } else if (value instanceof Collection<?> list) {
            out.writeStartArray();
            for (Object item : list) {
                value(out, item);
            }
            out.writeEndArray();
        } else {
            JSON.writeValue(out, value);
        }
    }

    /**
     * {@code at} as {@link Instant#toString()} writes it (ISO-8601, UTC, fraction in groups of three digits), without
     * a DateTimeFormatter per line: the date and time of day are made once per second.
     */
    static String time(Instant at) {
        Second s = second;
        if (s.epochSecond() != at.getEpochSecond()) {
            LocalDateTime t = LocalDateTime.ofEpochSecond(at.getEpochSecond(), 0, ZoneOffset.UTC);
            s = new Second(at.getEpochSecond(), String.format("%04d-%02d-%02dT%02d:%02d:%02d", t.getYear(),
                    t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond()));
            second = s;
        }
        int nanos = at.getNano();
        if (nanos == 0) {
            return s.text() + 'Z';
        }
        int digits = nanos % 1_000_000 == 0 ? 3 : nanos % 1000 == 0 ? 6 : 9;
        int fraction = digits == 3 ? nanos / 1_000_000 : digits == 6 ? nanos / 1000 : nanos;
        StringBuilder b = new StringBuilder(s.text().length() + 11).append(s.text()).append('.');
        String f = Integer.toString(fraction);
        for (int pad = digits - f.length(); pad > 0; pad--) {
            b.append('0');
        }
        return b.append(f).append('Z').toString();
    }
}
