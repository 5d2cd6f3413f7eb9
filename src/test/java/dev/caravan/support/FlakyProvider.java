package dev.caravan.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/**
 * An LLM provider that fails on purpose, as scripted per path: each request to a path takes the next step of the
 * script whose key its path contains (keys should not overlap); when the script is used up it answers 503. Steps: a status ({@code "503"}, {@code "400"}), a status with
 * {@code Retry-After} seconds ({@code "429:1"}), {@code "ok"} (an Anthropic message), {@code "stream-then-reset"} (an
 * SSE answer that breaks off after its first event), {@code "cut:<file>:<n>"} (a recorded answer of
 * {@code src/test/resources/llm} that breaks off in the middle of its n-th event), {@code "hang"} (no answer at all:
 * the connection stays open until the caller leaves). Errors come in Anthropic's format.
 */
public final class FlakyProvider implements AutoCloseable {

    private static final Pattern EVENT_END = Pattern.compile("\r\n\r\n|\n\n|\r\r");
    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final Map<String, Deque<String>> scripts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    public FlakyProvider() throws Exception {
        server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Starts one for a gateway test and points the routes' {@code test.flaky.url} at it. */
    public static FlakyProvider started() {
        try {
            FlakyProvider flaky = new FlakyProvider();
            System.setProperty("test.flaky.url", flaky.url());
            return flaky;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    /** The steps for requests whose path contains {@code path}, replacing earlier ones. */
    public void script(String path, String... steps) {
        scripts.put(path, new ArrayDeque<>(java.util.List.of(steps)));
    }

    /** How many requests reached a path (containing {@code path}). */
    public int requests(String path) {
        return counts.computeIfAbsent(path, p -> new AtomicInteger()).get();
    }

    /** Waits up to {@code millis} until {@code count} requests reached a path; whether they did. */
    public synchronized boolean awaitRequests(String path, int count, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (requests(path) < count) {
            long left = end - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            String step = "503";
            for (Map.Entry<String, Deque<String>> script : scripts.entrySet()) {
                if (request.path().contains(script.getKey())) {
                    counts.computeIfAbsent(script.getKey(), p -> new AtomicInteger()).incrementAndGet();
                    synchronized (this) {
                        notifyAll();
                    }
                    String next = script.getValue().poll();
                    step = next == null ? "503" : next;
                    break;
                }
            }
            var response = request.response();
            switch (step) {
                case "ok" -> response.putHeader("Content-Type", "application/json").end("{\"id\":\"msg_flaky\",\"type\":"
                        + "\"message\",\"role\":\"assistant\",\"model\":\"claude-haiku-4-5\",\"content\":[{\"type\":\"text\","
                        + "\"text\":\"finally\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{"
                        + "\"input_tokens\":11,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,"
                        + "\"output_tokens\":1}}");
                case "hang" -> {
                    // nothing: the provider accepted the request and went silent
                }
                case "stream-then-reset" -> {
                    response.setChunked(true).putHeader("Content-Type", "text/event-stream");
                    response.write("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_x\","
                                   + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-6\",\"content\":[],"
                                   + "\"usage\":{\"input_tokens\":40,\"output_tokens\":1}}}\n\n")
                            .onComplete(w -> request.connection().close());
                }
                default -> {
                    if (step.startsWith("cut:")) {
                        String[] cut = step.split(":");
                        Buffer answer = recorded(cut[1]);
                        response.setChunked(true).putHeader("Content-Type", "text/event-stream");
                        response.write(answer.getBuffer(0, middleOfEvent(answer, Integer.parseInt(cut[2]))))
                                .onComplete(w -> request.connection().close());
                        return;
                    }
                    String[] parts = step.split(":");
                    int status = Integer.parseInt(parts[0]);
                    if (parts.length > 1) {
                        response.putHeader("Retry-After", parts[1]);
                    }
                    response.setStatusCode(status).putHeader("Content-Type", "application/json")
                            .end("{\"type\":\"error\",\"error\":{\"type\":\"" + (status == 400 ? "invalid_request_error"
                                    : status == 429 ? "rate_limit_error" : "overloaded_error")
                                 + "\",\"message\":\"flaky says " + status + "\"}}");
                }
            }
        });
    }

    /** A recorded provider answer, {@code src/test/resources/llm/<name>}. */
    public static Buffer recorded(String name) {
        try (InputStream in = FlakyProvider.class.getResourceAsStream("/llm/" + name)) {
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where an SSE answer's {@code n}-th event (from 1) ends, its blank line included. */
    public static int endOfEvent(Buffer sse, int n) {
        Matcher blank = EVENT_END.matcher(sse.toString(StandardCharsets.ISO_8859_1));
        for (int i = 0; i < n; i++) {
            if (!blank.find()) {
                throw new IllegalArgumentException("the answer has fewer than " + n + " events");
            }
        }
        return blank.end();
    }

    /** Half-way through the {@code n}-th event of an SSE answer. */
    public static int middleOfEvent(Buffer sse, int n) {
        int start = n == 1 ? 0 : endOfEvent(sse, n - 1);
        return start + (endOfEvent(sse, n) - start) / 2;
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
