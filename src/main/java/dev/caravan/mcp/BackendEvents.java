package dev.caravan.mcp;

import java.io.IOException;
import java.util.Map;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;

import dev.caravan.proxy.SseParser;

/**
 * Turns the SSE events of one backend into the events its client gets: resource URIs qualified, requests to the
 * client re-keyed ({@link ServerRequestIds}), and event ids made composite over the backends sharing the client
 * stream.
 */
final class BackendEvents {

    private final String backend;
    private final JsonRpc.Message request;
    private final boolean qualified;
    private final Map<String, String> lastIds;
    private final UnaryOperator<JsonNode> clientIds;
    private final ModernRequest.Envelope modern;
    private final McpListen listen;
    private final SseParser parser = new SseParser(this::onEvent, McpStreamRelay.MAX_EVENT_BYTES);
    private Buffer pending = Buffer.buffer();
    /** takes a backend's question to a 2026-07-28 client (true when it will be asked), or null: none can be */
    private java.util.function.Predicate<ObjectNode> questions;
    /** takes a new-generation backend's input_required for a client with a session (true when it is bridged) */
    private java.util.function.Predicate<ObjectNode> inputRequired;
    /** the id the response to the client's request is to have, when not the request's own (a repeated request) */
    private JsonNode answerId;
    private boolean answered;
    private JsonNode error;
    private boolean toolError;
    private boolean resumable;

    /**
     * @param request the client request this stream answers, or null for the standalone GET stream
     * @param lastIds the last event id of every backend on the same client stream (shared, updated here)
     * @param clientIds the id the client sees for a request of the backend's
     * @param modern    the envelope of a sessionless (2026-07-28) client's request: such a client takes no requests
     *                  from servers, cannot resume a stream, gets log messages only at the level it asked for and
     *                  expects {@code resultType} on every result; null for a client with a session
     * @param listen    the 2026-07-28 client's listen this backend stream is heard for, which lets only the
     *                  notifications it asked for through; null for any other stream
     */
    BackendEvents(String backend, JsonRpc.Message request, boolean qualified, Map<String, String> lastIds,
                  UnaryOperator<JsonNode> clientIds, ModernRequest.Envelope modern, McpListen listen) {
        this.backend = backend;
        this.request = request;
        this.qualified = qualified;
        this.lastIds = lastIds;
        this.clientIds = clientIds;
        this.modern = modern;
        this.listen = listen;
    }

    /** Lets a 2026-07-28 client be asked a backend's questions ({@link McpStreamRelay#park}). */
    void questions(java.util.function.Predicate<ObjectNode> taker) {
        questions = taker;
    }

    /** Lets a backend's input_required reach a client with a session as requests on its stream ({@link InputBridge}). */
    void inputRequired(java.util.function.Predicate<ObjectNode> taker) {
        inputRequired = taker;
    }

    /** From now on the response to the client's request goes to a repeat of it, under that request's id. */
    void answerAs(JsonNode id) {
        answerId = id;
    }

    /** What the client gets for one chunk of the backend's stream: the complete events in it, translated. */
    Buffer feed(Buffer chunk) {
        parser.feed(chunk);
        Buffer out = pending;
        pending = Buffer.buffer();
        return out;
    }

    private void onEvent(SseParser.Event event) {
        if (modern == null && listen == null && (event.id() != null || event.retry() != null)) {
            resumable = true;
        }
        pending.appendString(translate(event));
    }

    /** The event in wire format for the client. */
    private String translate(SseParser.Event event) {
        if (event.isComment()) {
            return event.serialize();
        }
        String id = modern != null || listen != null ? null : event.id();
        if (id != null) {
            lastIds.put(backend, id);
            id = McpIds.eventId(lastIds);
        }
        String data = event.data();
        if (data != null && !data.isEmpty()) {
            data = translate(data);
            if (data == null) {
                return "";
            }
        }
        return new SseParser.Event(id, event.event(), data, event.retry(), null).serialize();
    }

    private String translate(String data) {
        JsonNode message;
        try {
            message = JsonRpc.MAPPER.readTree(data);
        } catch (IOException e) {
            throw new IllegalStateException(backend + " sent an event that is not JSON");
        }
        if (!(message instanceof ObjectNode o)) {
            return listen == null ? data : null;
        }
        if (listen != null) {
            if (qualified) {
                McpNames.qualifyResourceUris(backend, null, o);
            }
            ObjectNode heard = listen.heard(o);
            return heard == null ? null : heard.toString();
        }
        boolean isResponse = o.has("id") && !o.has("method");
        if (isResponse && request != null && o.get("id").equals(request.id())) {
            answered = true;
            if (modern == null && inputRequired != null && o.get("result") instanceof ObjectNode asked
                    && ModernBackend.INPUT_REQUIRED.equals(asked.path("resultType").asText())
                    && inputRequired.test(asked)) {
                // the gateway asks a client with a session in its own terms (InputBridge), on this stream
                return null;
            }
            ModernBackend.answer(backend, modern != null, qualified, o);
            error = o.get("error");
            toolError = o.path("result").path("isError").asBoolean(false);
            if (qualified) {
                McpNames.qualifyResourceUris(backend, request.method(), o);
            }
            if (modern != null && o.get("result") instanceof ObjectNode result) {
                ModernRequest.complete(McpMethod.of(request.method()), result);
            }
            if (answerId != null) {
                o.set("id", answerId);
            }
        } else if (o.has("id") && o.has("method")) {
            if (modern != null) {
                if (questions != null && questions.test(o)) {
                    return null;
                }
                // a question the client did not declare it could answer, or one outside a call
                throw new IllegalStateException(backend + " asked the client for input (" + o.path("method").asText()
                        + "), which this MCP " + ModernRequest.VERSION + " client did not declare it can answer");
            }
            o.set("id", clientIds.apply(o.get("id")));
        } else if (modern != null && !modern.wantsLog(o)) {
            return null;
        } else if (qualified) {
            McpNames.qualifyResourceUris(backend, null, o);
        }
        return o.toString();
    }

    /** Whether the response to the client's request has gone out. */
    boolean answered() {
        return answered;
    }

    /** The JSON-RPC error the backend answered with, or null. */
    JsonNode error() {
        return error;
    }

    /** Whether the backend answered a tool call with a result that is an error ({@code isError}). */
    boolean toolError() {
        return toolError;
    }

    /** Whether the backend gave event ids (or a retry hint), i.e. its stream can be resumed. */
    boolean resumable() {
        return resumable;
    }
}
