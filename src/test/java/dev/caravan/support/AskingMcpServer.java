package dev.caravan.support;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A stateful MCP server that asks its client questions ({@code elicitation/create}) on its standalone stream
 * ({@code GET /mcp}), scripted so that timing races show:
 * <ul>
 * <li>a GET stream opens {@value #OPEN_DELAY_MILLIS} ms after the request arrived (a server that sets a stream up,
 * e.g. replays missed events), and within a millisecond of opening the server asks a first question,
 * {@code hello};</li>
 * <li>the tool {@code ask} asks a question on the standalone stream and answers the call with the client's answer.
 * As the official SDKs do, a question sent while no stream is open is dropped (counted in {@link #dropped()}), and
 * the call then answers that nobody was asked.</li>
 * </ul>
 * Every JSON-RPC response a client sends is recorded ({@link #responses()}), whether or not it was asked for.
 */
public final class AskingMcpServer implements AutoCloseable {

    public static final long OPEN_DELAY_MILLIS = 30;
    private static final long ANSWER_WAIT_MILLIS = 5_000;

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final Set<String> sessions = ConcurrentHashMap.newKeySet();
    private final Map<String, HttpServerResponse> streams = new ConcurrentHashMap<>();
    private final Map<String, WaitingCall> waitingCalls = new ConcurrentHashMap<>();
    private final List<JsonObject> responses = new CopyOnWriteArrayList<>();
    private final AtomicInteger questions = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();

    /** A tools/call waiting for the client's answer to the question it asked. */
    private record WaitingCall(HttpServerRequest request, Object id) {
    }

    public AskingMcpServer() throws Exception {
        server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public String url() {
        return "http://127.0.0.1:" + server.actualPort() + "/mcp";
    }

    /** Every JSON-RPC response clients posted, in arrival order. */
    public List<JsonObject> responses() {
        return responses;
    }

    /** Questions the server wanted to ask while the session had no open stream. */
    public int dropped() {
        return dropped.get();
    }

    private void handle(HttpServerRequest request) {
        String session = request.getHeader("Mcp-Session-Id");
        if (request.method() == HttpMethod.GET) {
            if (session == null || !sessions.contains(session)) {
                request.response().setStatusCode(session == null ? 400 : 404).end();
                return;
            }
            vertx.setTimer(OPEN_DELAY_MILLIS, t -> open(session, request.response()));
            return;
        }
        if (request.method() == HttpMethod.DELETE) {
            boolean known = session != null && sessions.remove(session);
            HttpServerResponse stream = known ? streams.remove(session) : null;
            if (stream != null && !stream.ended() && !stream.closed()) {
                stream.end();
            }
            request.response().setStatusCode(known ? 200 : 404).end();
            return;
        }
        request.body().onSuccess(buffer -> {
            JsonObject message = buffer.toJsonObject();
            String method = message.getString("method");
            Object id = message.getValue("id");
            if ("initialize".equals(method)) {
                String created = UUID.randomUUID().toString();
                sessions.add(created);
                request.response().putHeader("Mcp-Session-Id", created);
                ScriptedMcpServer.json(request, id, new JsonObject().put("protocolVersion", "2025-11-25")
                        .put("capabilities", new JsonObject().put("tools", new JsonObject()))
                        .put("serverInfo", new JsonObject().put("name", "asker").put("version", "1")));
            } else if (session == null || !sessions.contains(session)) {
                request.response().setStatusCode(404).end();
            } else if (method == null) {
                responses.add(message);
                WaitingCall call = waitingCalls.remove(String.valueOf(id));
                if (call != null) {
                    ScriptedMcpServer.json(call.request(), call.id(), toolResult("answered " + message
                            .getJsonObject("result", new JsonObject()).getJsonObject("content", new JsonObject())
                            .encode(), false));
                }
                request.response().setStatusCode(202).end();
            } else if (id == null) {
                request.response().setStatusCode(202).end();
            } else if ("tools/list".equals(method)) {
                JsonObject ask = new JsonObject().put("name", "ask").put("inputSchema", new JsonObject()
                        .put("type", "object"));
                ScriptedMcpServer.json(request, id, new JsonObject().put("tools", new JsonArray().add(ask)));
            } else if ("tools/call".equals(method)) {
                ask(session, request, id);
            } else {
                request.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                        .put("jsonrpc", "2.0").put("id", id)
                        .put("error", new JsonObject().put("code", -32601).put("message", "no")).encode());
            }
        });
    }

    private void open(String session, HttpServerResponse stream) {
        if (!sessions.contains(session) || stream.closed()) {
            return;
        }
        stream.setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
        stream.writeHead();
        streams.put(session, stream);
        question(stream, "hello-" + questions.incrementAndGet(), "hello");
    }

    /** Asks on the standalone stream; the call is answered when the client's answer arrives. */
    private void ask(String session, HttpServerRequest call, Object callId) {
        HttpServerResponse stream = streams.get(session);
        if (stream == null || stream.closed()) {
            dropped.incrementAndGet();
            ScriptedMcpServer.json(call, callId, toolResult("nobody was asked: no stream open", true));
            return;
        }
        String id = "ask-" + questions.incrementAndGet();
        waitingCalls.put(id, new WaitingCall(call, callId));
        question(stream, id, "what is your name?");
        vertx.setTimer(ANSWER_WAIT_MILLIS, t -> {
            if (waitingCalls.remove(id) != null) {
                ScriptedMcpServer.json(call, callId, toolResult("no answer", true));
            }
        });
    }

    private static JsonObject toolResult(String text, boolean isError) {
        return new JsonObject().put("isError", isError).put("content", new JsonArray().add(new JsonObject()
                .put("type", "text").put("text", text)));
    }

    private static void question(HttpServerResponse stream, String id, String text) {
        stream.write("event: message\ndata: " + new JsonObject().put("jsonrpc", "2.0").put("id", id)
                .put("method", "elicitation/create").put("params", new JsonObject().put("message", text)
                        .put("requestedSchema", new JsonObject().put("type", "object")
                                .put("properties", new JsonObject()))).encode() + "\n\n");
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
