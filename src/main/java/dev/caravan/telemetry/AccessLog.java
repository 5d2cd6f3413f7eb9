package dev.caravan.telemetry;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
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
        line.put("time", Instant.now().toString());
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
            LOG.info(JSON.writeValueAsString(fields));
        } catch (JsonProcessingException e) {
            LOG.warn("access log line not written: {}", e.getMessage());
        }
    }
}
