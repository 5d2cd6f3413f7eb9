package dev.caravan.support;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A minimal, deliberately misbehaving MCP server for failure tests. Each path {@code /<mode>/mcp} answers initialize
 * and notifications properly (stateless, tools only) and then behaves as its mode says:
 * <ul>
 * <li>{@code ok}: lists tool {@code probe} and answers calls; records the headers it receives</li>
 * <li>{@code garbage}: answers lists and calls with HTML labelled as JSON</li>
 * <li>{@code slow}: answers tools/list only after 3 s</li>
 * <li>{@code status}: answers calls with HTTP 500</li>
 * <li>{@code stall}: starts an SSE answer to calls, sends one progress event, then goes silent</li>
 * <li>{@code chatty}: starts an SSE answer to calls and sends progress every 100 ms, forever</li>
 * <li>{@code hang}: never answers calls at all</li>
 * <li>{@code paged}: lists five tools two per page, with cursors {@code p2} and {@code p3}</li>
 * <li>{@code old}: speaks only protocol version 2025-03-26; records the headers of its calls</li>
 * <li>{@code outage}: like {@code ok}, but while {@link #outage(boolean)} is on it takes connections and never answers
 * anything (a hung server)</li>
 * </ul>
 * {@link #closed(String)} completes when a call's connection to that mode is closed by the gateway.
 */
public final class ScriptedMcpServer implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final List<MultiMap> okHeaders = new CopyOnWriteArrayList<>();
    private final List<MultiMap> oldHeaders = new CopyOnWriteArrayList<>();
    private final Map<String, CompletableFuture<Void>> closed = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean outage;

    public ScriptedMcpServer() throws Exception {
        server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** A started server whose URL is the system property {@code urlProperty}, for route files to refer to. */
    public static ScriptedMcpServer startedAt(String urlProperty) {
        return TestBackends.start(urlProperty, ScriptedMcpServer::new, ScriptedMcpServer::url);
    }

    public String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    /** Headers of every tools/call the {@code ok} backend received. */
    public List<MultiMap> okHeaders() {
        return okHeaders;
    }

    /** Headers of every tools/call the {@code old} backend received. */
    public List<MultiMap> oldHeaders() {
        return oldHeaders;
    }

    /** How many requests reached this server, on any path. */
    public int requests() {
        return requests.get();
    }

    /** Hangs the {@code outage} backend (true) or lets it answer again (false). */
    public void outage(boolean on) {
        outage = on;
    }

    public CompletableFuture<Void> closed(String mode) {
        return closed.computeIfAbsent(mode, m -> new CompletableFuture<>());
    }

    private void handle(HttpServerRequest request) {
        requests.incrementAndGet();
        String mode = request.path().split("/")[1];
        if (outage && mode.equals("outage")) {
            return;
        }
        request.body().onSuccess(buffer -> {
            if (buffer.length() == 0) {
                request.response().setStatusCode(405).end();
                return;
            }
            JsonObject message = buffer.toJsonObject();
            String method = message.getString("method");
            Object id = message.getValue("id");
            if (id == null) {
                request.response().setStatusCode(202).end();
            } else if ("initialize".equals(method)) {
                json(request, id, new JsonObject()
                        .put("protocolVersion", mode.equals("old") ? "2025-03-26"
                                : message.getJsonObject("params").getString("protocolVersion"))
                        .put("capabilities", new JsonObject().put("tools", new JsonObject()))
                        .put("serverInfo", new JsonObject().put("name", mode).put("version", "1")));
            } else if ("tools/list".equals(method) && mode.equals("paged")) {
                page(request, id, message.getJsonObject("params", new JsonObject()).getString("cursor"));
            } else if ("tools/list".equals(method)) {
                list(request, mode, id);
            } else if ("tools/call".equals(method)) {
                call(request, mode, id, message);
            } else {
                request.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                        .put("jsonrpc", "2.0").put("id", id)
                        .put("error", new JsonObject().put("code", -32601).put("message", "no")).encode());
            }
        });
    }

    private void list(HttpServerRequest request, String mode, Object id) {
        JsonObject tools = new JsonObject().put("tools", new JsonArray().add(new JsonObject()
                .put("name", mode.equals("ok") ? "probe" : mode + "_tool")
                .put("inputSchema", new JsonObject().put("type", "object"))));
        switch (mode) {
            case "garbage" -> request.response().putHeader("Content-Type", "application/json").end("<html>oops");
            case "slow" -> vertx.setTimer(3000, t -> json(request, id, tools));
            default -> json(request, id, tools);
        }
    }

    private void page(HttpServerRequest request, Object id, String cursor) {
        int from = cursor == null ? 1 : Integer.parseInt(cursor.substring(1)) * 2 - 1;
        JsonArray tools = new JsonArray();
        for (int t = from; t < from + 2 && t <= 5; t++) {
            tools.add(new JsonObject().put("name", "t" + t).put("inputSchema", new JsonObject().put("type", "object")));
        }
        JsonObject result = new JsonObject().put("tools", tools);
        if (from + 2 <= 5) {
            result.put("nextCursor", "p" + (from + 3) / 2);
        }
        json(request, id, result);
    }

    private void call(HttpServerRequest request, String mode, Object id, JsonObject message) {
        request.connection().closeHandler(v -> closed(mode).complete(null));
        switch (mode) {
            case "ok", "old" -> {
                (mode.equals("ok") ? okHeaders : oldHeaders)
                        .add(MultiMap.caseInsensitiveMultiMap().addAll(request.headers()));
                json(request, id, new JsonObject().put("content", new JsonArray().add(new JsonObject()
                        .put("type", "text").put("text", "ok " + message.getJsonObject("params").getString("name")))));
            }
            case "garbage" -> request.response().putHeader("Content-Type", "text/html").end("<html>oops");
            case "status" -> request.response().setStatusCode(500).end("boom");
            case "stall" -> sse(request).write(progress(1));
            case "chatty" -> {
                var response = sse(request);
                long timer = vertx.setPeriodic(100, t -> response.write(progress(t)));
                request.connection().closeHandler(v -> {
                    vertx.cancelTimer(timer);
                    closed(mode).complete(null);
                });
            }
            default -> {
                // hang: no answer at all
            }
        }
    }

    private static io.vertx.core.http.HttpServerResponse sse(HttpServerRequest request) {
        var response = request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
        response.writeHead();
        return response;
    }

    private static String progress(long n) {
        return "event: message\ndata: " + new JsonObject().put("jsonrpc", "2.0")
                .put("method", "notifications/progress")
                .put("params", new JsonObject().put("progressToken", "p").put("progress", n)).encode() + "\n\n";
    }

    /** Answers a JSON-RPC request with a result, as JSON. */
    static void json(HttpServerRequest request, Object id, JsonObject result) {
        request.response().putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("jsonrpc", "2.0").put("id", id).put("result", result).encode());
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
