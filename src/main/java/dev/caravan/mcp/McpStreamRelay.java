package dev.caravan.mcp;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import org.apache.camel.AsyncCallback;

import dev.caravan.proxy.ResponseRelay;
import dev.caravan.proxy.SseParser;
import dev.caravan.proxy.UpstreamException;

/**
 * Relays a backend's SSE answer to one MCP request event by event, as it arrives: progress notifications, log
 * messages and the backend's own requests to the client (re-keyed) reach the client while the tool runs. A JSON
 * answer is not relayed but captured, so the route can rewrite it whole.
 * <p>
 * A 2026-07-28 client cannot take a backend's request. When a backend of the older generation asks one a question
 * it declared it can answer, the relay ends the client's answer with {@code input_required} and holds the backend's
 * call ({@link LiveQuestions}), collecting what it sends meanwhile; the client's repeat with the answers takes the rest
 * of the call over ({@link #resume}). From then on this relay writes to the repeat's response itself.
 */
final class McpStreamRelay implements ResponseRelay {

    /** events are JSON-RPC messages; one larger than this is treated as a broken backend */
    static final int MAX_EVENT_BYTES = 16 * 1024 * 1024;

    private final String backend;
    private final JsonRpc.Message request;
    private final String gatewaySessionId;
    private final BackendEvents events;
    private final ModernRequest.Envelope modern;
    private final LiveQuestions live;
    private final String sessionId;
    private final boolean qualified;
    private final io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
    /** the questions the client was asked in the round it is to answer, by the client's key */
    private final Map<String, ObjectNode> asking;
    /** questions the backend asked since, for the next round */
    private final Map<String, ObjectNode> next;
    private int asked;
    /** the client's first response, until the first question ends it */
    private HttpServerResponse first;
    /** once the first question ended the first response: a repeat's response being answered, or null (held) */
    private HttpServerResponse target;
    private boolean detached;
    private boolean over;
    /** what the backend sent while the call was held, untranslated: its answer is the repeat's, under the repeat's id */
    private Buffer heldBytes;
    private JsonNode repeatId;
    private AsyncCallback repeatDone;
    private Runnable abort;
    private ObjectNode bridged;

    /**
     * @param live      where a 2026-07-28 client's questions are held, with {@code sessionId} the session the gateway
     *                  keeps for it; null when the client cannot be asked (one with a session is asked directly)
     */
    McpStreamRelay(String backend, JsonRpc.Message request, String gatewaySessionId, boolean qualified,
                   UnaryOperator<JsonNode> clientIds, ModernRequest.Envelope modern, LiveQuestions live,
                   String sessionId) {
        this.backend = backend;
        this.request = request;
        this.gatewaySessionId = gatewaySessionId;
        this.modern = modern;
        this.live = live;
        this.sessionId = sessionId;
        this.qualified = qualified;
        this.events = new BackendEvents(backend, request, qualified, new LinkedHashMap<>(), clientIds, modern,
                null);
        // most calls are never held: they get no room for questions
        boolean askable = modern != null && live != null;
        asking = askable ? new LinkedHashMap<>() : Map.of();
        next = askable ? new LinkedHashMap<>() : Map.of();
        if (askable) {
            events.questions(this::askable);
        }
    }

    /** Headers of every SSE answer the gateway streams to a client. */
    static void streamHead(HttpServerResponse client, String gatewaySessionId) {
        client.setStatusCode(200);
        client.putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream");
        client.putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        if (gatewaySessionId != null) {
            client.putHeader(McpSessionCheck.HEADER, gatewaySessionId);
        }
    }

    static boolean isEventStream(int status, MultiMap headers) {
        String type = headers.get(HttpHeaders.CONTENT_TYPE);
        return status == 200 && type != null && type.startsWith("text/event-stream");
    }

    @Override
    public boolean relays(int status, MultiMap upstreamHeaders) {
        return isEventStream(status, upstreamHeaders);
    }

    @Override
    public void head(int status, MultiMap upstreamHeaders, HttpServerResponse client) {
        first = client;
        streamHead(client, gatewaySessionId);
    }

    /** Takes a question of the backend's that the client declared it can answer, for the next round. */
    private boolean askable(ObjectNode question) {
        String needs = InputBridge.needs(question.path("method").asText());
        if (needs == null || !modern.capabilities().has(needs) || next.size() >= InputBridge.MAX_QUESTIONS
                || next.isEmpty() && !live.room()) {
            return false;
        }
        next.put("q" + asked++, question);
        return true;
    }

    @Override
    public Buffer chunk(Buffer data) {
        if (detached && target == null) {
            // held: read once a repeat takes over, under its id
            heldBytes = heldBytes == null ? data.copy() : heldBytes.appendBuffer(data);
            return Buffer.buffer();
        }
        return route(events.feed(data));
    }

    /** Sends translated events where they go now; a question ends what the client is being answered. */
    private Buffer route(Buffer out) {
        HttpServerResponse answering = detached ? target : first;
        if (!next.isEmpty() && answering != null) {
            park(answering, out);
            return Buffer.buffer();
        }
        if (!detached) {
            return out;
        }
        if (out.length() > 0) {
            target.write(out);
        }
        return Buffer.buffer();
    }

    /**
     * Ends what the client is being answered (its first response, or a repeat's) with the backend's questions as
     * {@code input_required}, and holds the call for the repeat that answers them.
     */
    private void park(HttpServerResponse answering, Buffer before) {
        asking.clear();
        asking.putAll(next);
        next.clear();
        ObjectNode result = JsonRpc.object();
        result.put("resultType", ModernBackend.INPUT_REQUIRED);
        ObjectNode inputRequests = result.putObject("inputRequests");
        asking.forEach((key, question) -> {
            // qualified as a backend of the new generation's keys are (ModernBackend.answer)
            ObjectNode inputRequest = inputRequests.putObject(qualified ? backend + ModernBackend.KEY_SEPARATOR + key
                    : key);
            inputRequest.set("method", question.get("method"));
            if (question.has("params")) {
                inputRequest.set("params", question.get("params"));
            }
        });
        result.put("requestState", live.hold(sessionId, this, this::giveUp));
        detached = true;
        target = null;
        ResponseRelay.endWith(answering, before.copy().appendString(
                SseParser.Event.data(JsonRpc.result(answerId(), result).toString()).serialize()));
        repeated();
    }

    /** The id of the request the client is answered for now: its own, or that of its latest repeat. */
    private JsonNode answerId() {
        return repeatId != null ? repeatId : request.id();
    }

    /** The backend call is given up: the client went away, or did not repeat its call in time. */
    private void giveUp() {
        if (abort != null) {
            abort.run();
        }
    }

    /** The questions of the round the client is to answer, by their key; the backend's request each is. */
    Map<String, ObjectNode> asking() {
        return asking;
    }

    String backend() {
        return backend;
    }

    /**
     * For a client with a session whose backend speaks 2026-07-28: an input_required the backend streams is kept for
     * {@link InputBridge}, which asks the client on this same stream once the backend's is over.
     */
    void bridgeFor(McpCall call) {
        events.inputRequired(result -> {
            if (!InputBridge.canAsk(call, result)) {
                return false;
            }
            bridged = result;
            return true;
        });
    }

    /** The input_required kept for {@link InputBridge}, or null. */
    ObjectNode bridged() {
        return bridged;
    }

    /** The event loop the held call runs on, where {@link #resume} must run too. */
    io.vertx.core.Context context() {
        return context;
    }

    /**
     * The client repeated its call with the answers, which the backend has now: the rest of the held call goes to the
     * repeat's {@code response}, under {@code id}; {@code done} runs when the repeat's response is over.
     */
    void resume(HttpServerResponse response, JsonNode id, AsyncCallback done) {
        asking.clear();
        repeatId = id;
        events.answerAs(id);
        repeatDone = done;
        target = response;
        streamHead(response, null);
        response.setChunked(true);
        response.closeHandler(v -> {
            if (!response.ended()) {
                giveUp();
            }
        });
        response.write(": resumed\n\n");
        Buffer held = heldBytes == null ? Buffer.buffer() : heldBytes;
        heldBytes = null;
        route(events.feed(held));
        if (over && target == response) {
            ResponseRelay.endWith(response, events.answered() ? null
                    : errorEvent(backend + ": closed the stream without answering"));
            repeated();
        }
    }

    private void repeated() {
        AsyncCallback done = repeatDone;
        repeatDone = null;
        if (done != null) {
            done.done(false);
        }
    }

    @Override
    public void end(HttpServerResponse client) {
        // a stream that ends unanswered but gave event ids is one the client may resume (SSE polling)
        finish(client, events.answered() || events.resumable() ? null
                : errorEvent(backend + ": closed the stream without answering"));
    }

    @Override
    public void fail(UpstreamException error, HttpServerResponse client) {
        finish(client, events.answered() ? null : errorEvent(error.getMessage()));
    }

    /** The backend's answer is over: the client's response being answered ends; a held call waits for its repeat. */
    private void finish(HttpServerResponse client, Buffer last) {
        over = true;
        if (detached && target == null || bridged != null) {
            // held for a repeat, or the client's stream goes on with the gateway's questions
            return;
        }
        ResponseRelay.endWith(detached ? target : client, last);
        repeated();
    }

    @Override
    public void onClientGone(HttpServerResponse client, Runnable abort) {
        this.abort = abort;
        ResponseRelay.super.onClientGone(client, abort);
    }

    @Override
    public Map<String, Object> traceAttributes() {
        JsonNode error = events.error();
        return error != null ? Map.of("rpc.jsonrpc.error_code", error.path("code").asLong(), "error.type", "rpc_error")
                : events.toolError() ? Map.of("error.type", "tool_error") : Map.of();
    }

    /** What the backend's answer said, for telemetry: see {@link BackendEvents#error()}. */
    BackendEvents events() {
        return events;
    }

    private Buffer errorEvent(String message) {
        return Buffer.buffer(SseParser.Event.data(JsonRpc.backendError(answerId(), backend, message).toString())
                .serialize());
    }
}
