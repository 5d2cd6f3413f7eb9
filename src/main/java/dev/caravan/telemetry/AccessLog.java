package dev.caravan.telemetry;

import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AsyncAppender;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.AppenderRef;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.caravan.core.ReplyBody;

/**
 * One structured JSON line per request on the logger {@code caravan.access}: to stdout as is (log4j2.xml), or to the
 * file {@code caravan.access-log.file} names. Callers pass only what is safe to keep: no tokens, no secrets, and bodies
 * only when {@code caravan.access-log.bodies} asks for them ({@link #body}).
 */
public final class AccessLog {

    private static final Logger LOG = LoggerFactory.getLogger("caravan.access");
    private static final ObjectMapper JSON = new ObjectMapper();

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
     * @param file a file for the lines (appended to, written from a queue like stdout); blank keeps stdout
     */
    public static void configure(String file, boolean withBodies) {
        bodies = withBodies;
        if (file == null || file.isBlank()) {
            return;
        }
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        FileAppender target = FileAppender.newBuilder().setName("accessFile").withFileName(file.strip())
                .withAppend(true).withImmediateFlush(false).setConfiguration(config)
                .setLayout(PatternLayout.newBuilder().withPattern("%msg%n").withConfiguration(config).build()).build();
        target.start();
        config.addAppender(target);
        AsyncAppender queue = AsyncAppender.newBuilder().setName("accessFileQueue").setBlocking(true)
                .setBufferSize(16384).setConfiguration(config)
                .setAppenderRefs(new AppenderRef[] {AppenderRef.createAppenderRef("accessFile", null, null)}).build();
        queue.start();
        config.addAppender(queue);
        LoggerConfig logger = config.getLoggerConfig("caravan.access");
        logger.getAppenders().keySet().forEach(logger::removeAppender);
        logger.addAppender(queue, null, null);
        context.updateLoggers();
    }

    /** A body for a line, cut to 2000 characters; null unless bodies were asked for. */
    public static String body(Object body) {
        if (!bodies || body == null) {
            return null;
        }
        String text = body instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8)
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

    /** Writes the fields in their map's order. */
    public static void write(Map<String, Object> fields) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        try {
            LOG.info(json(fields));
        } catch (IOException e) {
            LOG.warn("access log line not written: {}", e.getMessage());
        }
    }

    /**
     * The line: the fields streamed straight to JSON text. The values a line holds (text, numbers, booleans, lists)
     * are written by type; anything else goes through Jackson's serializers.
     */
    static String json(Map<String, Object> fields) throws IOException {
        StringWriter text = new StringWriter(512);
        try (JsonGenerator out = JSON.createGenerator(text)) {
            value(out, fields);
        }
        return text.toString();
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
