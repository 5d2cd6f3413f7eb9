package dev.caravan.faults;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.caravan.support.McpHttp;

/**
 * An SSE answer read as strictly as an SDK reads it: every event complete (ended by a blank line) and every event's data
 * JSON (or OpenAI's {@code [DONE]}). A stream that breaks this fails the test with the offending text, which is what a
 * client would have choked on.
 */
record SseEvents(List<Event> events) {

    /** One event: its name (null when it has none) and its data as JSON (null for {@code [DONE]} or no data). */
    record Event(String name, JsonNode data) {
    }

    static SseEvents parse(String stream) {
        List<Event> events = new ArrayList<>();
        String name = null;
        StringBuilder data = null;
        String[] lines = stream.split("\r\n|\r|\n", -1);
        // split leaves one empty string after the final line break; anything else there is a line cut short
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                if (name != null || data != null) {
                    events.add(new Event(name, json(data)));
                }
                name = null;
                data = null;
            } else if (line.startsWith("event:")) {
                name = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                String value = line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5);
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            } else if (!line.startsWith(":") && !line.startsWith("id:") && !line.startsWith("retry:")) {
                throw new AssertionError("not an SSE line: " + line + "\nin: " + stream);
            }
        }
        if (!lines[lines.length - 1].isEmpty() || name != null || data != null) {
            throw new AssertionError("the stream ends in the middle of an event:\n" + stream);
        }
        return new SseEvents(events);
    }

    private static JsonNode json(StringBuilder data) {
        if (data == null || data.toString().equals("[DONE]")) {
            return null;
        }
        try {
            return McpHttp.JSON.readTree(data.toString());
        } catch (IOException e) {
            throw new AssertionError("an event's data is not JSON (a client fails to parse it): " + data, e);
        }
    }

    Event last() {
        if (events.isEmpty()) {
            throw new AssertionError("no events");
        }
        return events.get(events.size() - 1);
    }

    boolean has(String name) {
        return events.stream().anyMatch(e -> name.equals(e.name()));
    }
}
