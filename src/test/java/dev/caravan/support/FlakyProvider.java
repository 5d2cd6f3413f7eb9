package dev.caravan.support;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/**
 * An LLM provider that fails on purpose, as scripted per path: each request to a path takes the next step of the
 * script whose key its path contains (keys should not overlap); when the script is used up it answers 503. Steps: a status ({@code "503"}, {@code "400"}), a status with
 * {@code Retry-After} seconds ({@code "429:1"}), {@code "ok"} (an Anthropic message), {@code "stream-then-reset"} (an
 * SSE answer that breaks off after its first event). Errors come in Anthropic's format.
 */
public final class FlakyProvider implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final Map<String, Deque<String>> scripts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    public FlakyProvider() throws Exception {
        server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
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

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            String step = "503";
            for (Map.Entry<String, Deque<String>> script : scripts.entrySet()) {
                if (request.path().contains(script.getKey())) {
                    counts.computeIfAbsent(script.getKey(), p -> new AtomicInteger()).incrementAndGet();
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
                case "stream-then-reset" -> {
                    response.setChunked(true).putHeader("Content-Type", "text/event-stream");
                    response.write("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_x\","
                                   + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-6\",\"content\":[],"
                                   + "\"usage\":{\"input_tokens\":40,\"output_tokens\":1}}}\n\n")
                            .onComplete(w -> request.connection().close());
                }
                default -> {
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

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
