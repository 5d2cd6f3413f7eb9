package dev.caravan.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

import dev.caravan.telemetry.AccessLog;

/**
 * The access log lines of the gateway running in this JVM, as they are written. The gateway writes a request's line
 * after its metrics, so a test that waits for the line may read the request's metrics next.
 */
public final class AccessLogLines {

    private final List<JsonNode> lines = new CopyOnWriteArrayList<>();

    private AccessLogLines() {
    }

    /** Starts collecting the lines the gateway writes. */
    public static AccessLogLines collect() {
        AccessLogLines collected = new AccessLogLines();
        AccessLog.listen(collected::add);
        return collected;
    }

    private void add(String line) {
        try {
            lines.add(McpHttp.JSON.readTree(line));
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
