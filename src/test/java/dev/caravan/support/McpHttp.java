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
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A bare-bones Streamable HTTP client for tests that need to see exactly what goes over the wire (status codes,
 * headers, event timing) rather than what an SDK makes of it.
 */
public final class McpHttp {

    public static final ObjectMapper JSON = new ObjectMapper();
    public static final String LATEST = "2025-11-25";

    /** One SSE data line and when it arrived (nanoTime). */
    public record TimedData(long nanos, JsonNode message) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI uri;
    private String sessionId;
    private String token;

    public McpHttp(int port) {
        this.uri = URI.create("http://127.0.0.1:" + port + "/mcp");
    }

    /** A client that sends {@code Authorization: Bearer <token>} with every request. */
    public McpHttp(int port, String token) {
        this(port);
        this.token = token;
    }

    public String sessionId() {
        return sessionId;
    }

    public void sessionId(String id) {
        this.sessionId = id;
    }

    public HttpRequest.Builder request(String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream");
        if (sessionId != null) {
            b.header("Mcp-Session-Id", sessionId);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.setHeader(headers[i], headers[i + 1]);
        }
        return body == null ? b : b.POST(HttpRequest.BodyPublishers.ofString(body));
    }

    public HttpResponse<String> send(HttpRequest request) {
        return Http.send(http, request, HttpResponse.BodyHandlers.ofString());
    }

    /** The {@code _meta} member of a 2026-07-28 request: its version, these capabilities and a client of this name. */
    public static String envelope(String capabilities, String clientName) {
        return "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
               + "\"io.modelcontextprotocol/clientCapabilities\":" + capabilities + ","
               + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"" + clientName + "\",\"version\":\"1\"}}";
    }

    /** A request whose answer is read as it comes (a stream that stays open); the caller closes the body. */
    public HttpResponse<java.io.InputStream> open(HttpRequest request) {
        return Http.send(http, request, HttpResponse.BodyHandlers.ofInputStream());
    }

    public java.util.concurrent.CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest request) {
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String body, String... headers) {
        return send(request(body, headers).build());
    }

    /** Initializes a session and sends notifications/initialized, as a client does. Returns the initialize result. */
    public JsonNode initialize(String protocolVersion) {
        return initialize(protocolVersion, "{}", "test");
    }

    /** Initializes a session as a client named {@code name} with {@code capabilities} (a JSON object). */
    public JsonNode initialize(String protocolVersion, String capabilities, String name) {
        HttpResponse<String> r = post("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
                                      + "\"protocolVersion\":\"" + protocolVersion + "\",\"capabilities\":"
                                      + capabilities + ",\"clientInfo\":{\"name\":\"" + name
                                      + "\",\"version\":\"1\"}}}");
        if (r.statusCode() != 200) {
            throw new IllegalStateException("initialize answered " + r.statusCode() + ": " + r.body());
        }
        sessionId = r.headers().firstValue("Mcp-Session-Id").orElseThrow();
        JsonNode result = message(r).get("result");
        HttpResponse<String> ack = post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                "MCP-Protocol-Version", result.get("protocolVersion").asText());
        if (ack.statusCode() != 202) {
            throw new IllegalStateException("notifications/initialized answered " + ack.statusCode());
        }
        return result;
    }

    /** Sends a request and returns the JSON-RPC response, whether it came as JSON or as the last SSE event. */
    public JsonNode call(String method, String params) {
        return message(post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\""
                            + (params == null ? "" : ",\"params\":" + params) + "}"));
    }

    /** The response message of an answer: the JSON body, or the SSE event that carries the response. */
    public static JsonNode message(HttpResponse<String> r) {
        try {
            if (r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
                JsonNode last = null;
                for (String line : r.body().split("\n")) {
                    if (line.startsWith("data:")) {
                        JsonNode m = JSON.readTree(line.substring(5));
                        if (m.has("id") && !m.has("method")) {
                            last = m;
                        }
                    }
                }
                return last;
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An open {@code GET /mcp} stream whose lines arrive in a queue; closing it disconnects. */
    public final class OpenStream implements AutoCloseable {
        private final java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        private final java.util.concurrent.CompletableFuture<Stream<String>> body;
        private String lastEventId;

        OpenStream(String lastEventId) {
            HttpRequest.Builder get = request(null, "Accept", "text/event-stream").GET();
            if (lastEventId != null) {
                get.header("Last-Event-ID", lastEventId);
            }
            body = http.sendAsync(get.build(), HttpResponse.BodyHandlers.ofLines()).thenApply(r -> {
                Stream<String> stream = r.body();
                Thread reader = new Thread(() -> {
                    try {
                        stream.forEach(lines::add);
                    } catch (UncheckedIOException closed) {
                        // the test closed the stream
                    }
                }, "GET stream reader");
                reader.setDaemon(true);
                reader.start();
                return stream;
            });
        }

        /**
         * Waits until the gateway answered the GET (its status and headers). The gateway answers once every backend's
         * own stream is open, so what is sent next finds them open and nothing a backend announces on its stream is
         * lost.
         */
        public OpenStream awaitOpen(long seconds) throws Exception {
            body.get(seconds, java.util.concurrent.TimeUnit.SECONDS);
            return this;
        }

        /** Waits for a data line containing {@code text}; remembers the event id it came with. */
        public String awaitData(String text, long seconds) throws InterruptedException {
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            String id = null;
            for (long left = end - System.nanoTime(); left > 0; left = end - System.nanoTime()) {
                String line = lines.poll(left, java.util.concurrent.TimeUnit.NANOSECONDS);
                if (line == null) {
                    break;
                }
                if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("data:") && line.contains(text)) {
                    lastEventId = id;
                    return line;
                }
            }
            throw new IllegalStateException("no event with " + text + " within " + seconds + " s");
        }

        public String lastEventId() {
            return lastEventId;
        }

        @Override
        public void close() throws Exception {
            body.get(10, java.util.concurrent.TimeUnit.SECONDS).close();
        }
    }

    public OpenStream openStream(String lastEventId) {
        return new OpenStream(lastEventId);
    }

    /** Posts a request and records every SSE data line with the time it arrived, until the stream ends. */
    public List<TimedData> stream(String body) {
        try {
            HttpResponse<Stream<String>> r = http.send(request(body).build(), HttpResponse.BodyHandlers.ofLines());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("stream answered " + r.statusCode());
            }
            List<TimedData> out = new ArrayList<>();
            try (Stream<String> lines = r.body()) {
                Iterator<String> it = lines.iterator();
                while (it.hasNext()) {
                    String line = it.next();
                    if (line.startsWith("data:") && line.length() > 5) {
                        out.add(new TimedData(System.nanoTime(), JSON.readTree(line.substring(5))));
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
