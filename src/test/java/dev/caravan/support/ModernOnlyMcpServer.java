package dev.caravan.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * An MCP server of the 2026-07-28 generation only, as the TypeScript SDK v2 runs with {@code legacy: 'reject'}:
 * initialize (and anything without an envelope) is refused with -32022, GET and DELETE with 405, notifications are
 * dropped (202). It lists one tool, {@code locate}, whose arguments {@code region} (string) and {@code zone} (integer)
 * travel in {@code Mcp-Param-Region} and {@code Mcp-Param-Zone}, and answers its calls with the arguments it got.
 * Given {@code rounds} in the arguments, {@code locate} asks for input instead ({@link #ask}).
 * Every request it received is recorded with its headers ({@link #received()}). Switched to {@link #legacy(boolean)}
 * it is a server of the older generation instead (as after a rollback): initialize is answered, discover is unknown.
 */
public final class ModernOnlyMcpServer implements AutoCloseable {

    public static final String VERSION = "2026-07-28";

    /** A request as it arrived. */
    public record Received(MultiMap headers, JsonObject body) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile boolean legacy;

    public ModernOnlyMcpServer() throws Exception {
        server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public String url() {
        return "http://127.0.0.1:" + server.actualPort() + "/mcp";
    }

    /** Makes it a server of MCP 2025-11-25 (true) or of 2026-07-28 only again (false). */
    public void legacy(boolean on) {
        legacy = on;
    }

    public List<Received> received() {
        return received;
    }

    /** The last request of {@code method} it received. */
    public Received last(String method) {
        for (int i = received.size() - 1; i >= 0; i--) {
            if (method.equals(received.get(i).body().getString("method"))) {
                return received.get(i);
            }
        }
        throw new IllegalStateException("no " + method + " received");
    }

    private void handle(HttpServerRequest request) {
        if (request.method() != HttpMethod.POST) {
            request.response().setStatusCode(405).end();
            return;
        }
        request.body().onSuccess(buffer -> {
            JsonObject message = buffer.toJsonObject();
            received.add(new Received(MultiMap.caseInsensitiveMultiMap().addAll(request.headers()), message));
            Object id = message.getValue("id");
            JsonObject params = message.getJsonObject("params", new JsonObject());
            JsonObject meta = params.getJsonObject("_meta", new JsonObject());
            String method = message.getString("method");
            if (id == null) {
                request.response().setStatusCode(202).end();
            } else if (legacy && "initialize".equals(method)) {
                ScriptedMcpServer.json(request, id, new JsonObject().put("protocolVersion", "2025-11-25")
                        .put("capabilities", new JsonObject().put("tools", new JsonObject()))
                        .put("serverInfo", new JsonObject().put("name", "rolled-back").put("version", "1")));
            } else if (legacy && "server/discover".equals(method)) {
                request.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                        .put("jsonrpc", "2.0").put("id", id).put("error", new JsonObject().put("code", -32601)
                                .put("message", "Method not found")).encode());
            } else if (!legacy && !VERSION.equals(meta.getString("io.modelcontextprotocol/protocolVersion"))) {
                request.response().setStatusCode(400).putHeader("Content-Type", "application/json").end(
                        new JsonObject().put("jsonrpc", "2.0").put("id", id).put("error", new JsonObject()
                                .put("code", -32022).put("message", "Unsupported protocol version")
                                .put("data", new JsonObject().put("supported", new JsonArray().add(VERSION))))
                                .encode());
            } else if ("server/discover".equals(method)) {
                result(request, id, new JsonObject().put("supportedVersions", new JsonArray().add(VERSION))
                        .put("capabilities", new JsonObject().put("tools", new JsonObject()))
                        .put("ttlMs", 60000).put("cacheScope", "public")
                        .put("_meta", new JsonObject().put("io.modelcontextprotocol/serverInfo",
                                new JsonObject().put("name", "modern-only").put("version", "1"))));
            } else if ("tools/list".equals(method)) {
                result(request, id, new JsonObject().put("ttlMs", 60000).put("cacheScope", "public")
                        .put("tools", new JsonArray().add(new JsonObject().put("name", "locate")
                                .put("inputSchema", new JsonObject().put("type", "object").put("properties",
                                        new JsonObject()
                                                .put("region", new JsonObject().put("type", "string")
                                                        .put("x-mcp-header", "Region"))
                                                .put("zone", new JsonObject().put("type", "integer")
                                                        .put("x-mcp-header", "Zone")))))));
            } else if ("tools/call".equals(method) && params.getJsonObject("arguments", new JsonObject())
                    .containsKey("rounds")) {
                ask(request, id, params);
            } else if ("tools/call".equals(method)) {
                result(request, id, new JsonObject().put("content", new JsonArray().add(new JsonObject()
                        .put("type", "text").put("text", String.valueOf(params.getValue("arguments"))))));
            } else {
                request.response().setStatusCode(404).putHeader("Content-Type", "application/json").end(
                        new JsonObject().put("jsonrpc", "2.0").put("id", id).put("error", new JsonObject()
                                .put("code", -32601).put("message", "Method not found")).encode());
            }
        });
    }

    /**
     * A call of {@code locate} whose arguments hold {@code rounds}, a multi round-trip request: round N (counted in
     * {@code requestState}) answers {@code input_required} with the N-th element as its {@code inputRequests}, the
     * last one again for ever when {@code forever} is true; after the last round it answers with the
     * {@code inputResponses} and {@code requestState} it got; HTTP 500 at the round {@code failAt}.
     */
    private static void ask(HttpServerRequest request, Object id, JsonObject params) {
        JsonObject arguments = params.getJsonObject("arguments");
        JsonArray rounds = arguments.getJsonArray("rounds");
        String state = params.getString("requestState");
        int round = state == null ? 0 : Integer.parseInt(state.substring("round-".length()));
        if (round == arguments.getInteger("failAt", -1)) {
            request.response().setStatusCode(500).end("broken");
        } else if (round < rounds.size() || arguments.getBoolean("forever", false)) {
            request.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                    .put("jsonrpc", "2.0").put("id", id).put("result", new JsonObject()
                            .put("resultType", "input_required")
                            .put("inputRequests", rounds.getValue(Math.min(round, rounds.size() - 1)))
                            .put("requestState", "round-" + (round + 1))).encode());
        } else {
            result(request, id, new JsonObject().put("content", new JsonArray().add(new JsonObject()
                    .put("type", "text").put("text", params.getValue("inputResponses") + "|" + state))));
        }
    }

    private static void result(HttpServerRequest request, Object id, JsonObject result) {
        request.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("jsonrpc", "2.0")
                .put("id", id).put("result", result.put("resultType", "complete")).encode());
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
