package dev.caravan.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

/** Plain HTTP to the gateway's LLM routes, for tests that check the wire: statuses, headers, event timing. */
public final class LlmHttp {

    /** One line of a streamed answer and when it arrived (nanoTime). */
    public record Line(long nanos, String text) {
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    public LlmHttp(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    public HttpRequest.Builder request(String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (body != null) {
            b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b;
    }

    public HttpResponse<String> post(String path, String body, String... headers) {
        return send(request(path, body, headers).build());
    }

    public HttpResponse<String> send(HttpRequest request) {
        return Http.send(http, request, HttpResponse.BodyHandlers.ofString());
    }

    /** Posts and records every line of the answer with the time it arrived, until the answer ends. */
    public List<Line> stream(String path, String body, String... headers) {
        HttpResponse<Stream<String>> r = Http.send(http, request(path, body, headers).build(),
                HttpResponse.BodyHandlers.ofLines());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + r.statusCode() + ": "
                                            + String.join("\n", r.body().toList()));
        }
        List<Line> lines = new ArrayList<>();
        try (Stream<String> answer = r.body()) {
            Iterator<String> it = answer.iterator();
            while (it.hasNext()) {
                lines.add(new Line(System.nanoTime(), it.next()));
            }
        }
        return lines;
    }

    /** The JSON of every {@code data:} line of a stream (the [DONE] marker left out). */
    public static List<JsonNode> data(List<Line> lines) {
        List<JsonNode> out = new ArrayList<>();
        for (Line l : lines) {
            if (l.text().startsWith("data:") && !l.text().contains("[DONE]")) {
                try {
                    out.add(McpHttp.JSON.readTree(l.text().substring(5)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return out;
    }
}
