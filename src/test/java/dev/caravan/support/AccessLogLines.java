package dev.caravan.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/**
 * The access log lines of the gateway running in this JVM, as they are written. The gateway writes a request's line
 * after its metrics, so a test that waits for the line may read the request's metrics next.
 */
public final class AccessLogLines extends AbstractAppender {

    private final List<JsonNode> lines = new CopyOnWriteArrayList<>();

    private AccessLogLines() {
        // a name of its own: a logger keeps one appender per name
        super("test-access-lines-" + java.util.UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY);
    }

    /** Starts collecting the lines of logger {@code caravan.access}. */
    public static AccessLogLines collect() {
        AccessLogLines appender = new AccessLogLines();
        appender.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getLoggerConfig("caravan.access").addAppender(appender, null, null);
        context.updateLoggers();
        return appender;
    }

    @Override
    public void append(LogEvent event) {
        try {
            lines.add(McpHttp.JSON.readTree(event.getMessage().getFormattedMessage()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        synchronized (this) {
            notifyAll();
        }
    }

    /** The lines written so far. */
    public List<JsonNode> lines() {
        return List.copyOf(lines);
    }

    /** The first line that matches, waiting for it up to 10 s. */
    public JsonNode await(Predicate<JsonNode> line) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        synchronized (this) {
            while (true) {
                for (JsonNode l : lines) {
                    if (line.test(l)) {
                        return l;
                    }
                }
                long left = end - System.currentTimeMillis();
                if (left <= 0) {
                    throw new AssertionError("no access log line matched; lines: " + lines);
                }
                wait(left);
            }
        }
    }

    /** The line of the request made by {@code user} (waiting for it). */
    public JsonNode of(String user) throws InterruptedException {
        return await(l -> user.equals(l.path("user").asText()));
    }
}
