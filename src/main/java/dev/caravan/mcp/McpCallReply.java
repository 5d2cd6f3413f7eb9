package dev.caravan.mcp;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.AsyncCallback;
import org.apache.camel.support.AsyncProcessorSupport;

import dev.caravan.core.StrictText;

/**
 * Answers the client after a routed call. A streamed answer was already relayed and needs nothing more; a captured one
 * is passed on as the backend sent it when nothing in it needs rewriting (read as it streams by, without a tree),
 * rewritten when it holds resource URIs to qualify, or, when the backend refused the call, turned into a JSON-RPC
 * error with the client's id that names the backend.
 */
public final class McpCallReply extends AsyncProcessorSupport {

    /** what a result holds when it may carry resource URIs to qualify ({@link McpNames#qualifyResourceUris}) */
    private static final byte[] URI_KEY = {'"', 'u', 'r', 'i', '"'};
    /** an escape, which could spell that key otherwise */
    private static final byte[] UNICODE_ESCAPE = {'\\', 'u'};

    private final InputBridge bridge;

    public McpCallReply(InputBridge bridge) {
        this.bridge = bridge;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        McpCall call = McpCall.of(exchange);
        if (call.relayed() && call.relay() instanceof McpStreamRelay streamed && streamed.bridged() != null) {
            // the backend streamed its input_required: the client's stream, still open, carries the questions
            bridge.start(exchange, streamed.bridged(), callback);
            return false;
        }
        if (call.relayed() || call.answeredElsewhere()) {
            callback.done(true);
            return true;
        }
        JsonRpc.Message request = call.message();
        String backend = call.backend();
        Message answer = exchange.getMessage();
        int status = answer.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        byte[] body = answer.getBody(byte[].class);
        boolean mayHoldUris = call.session().qualified() && (contains(body, URI_KEY) || contains(body, UNICODE_ESCAPE));
        // a 2026-07-28 client needs the result completed (resultType), and a 2026-07-28 backend may ask for input
        // (ModernBackend.answer): both are rewritten
        if (status == 200 && body != null && !mayHoldUris && call.modern() == null
                && !ModernBackend.speaks(call.session().backends().get(backend)) && StrictText.utf8(body)) {
            JsonRpc.ResponseSummary summary = JsonRpc.scanResponse(body);
            if (summary != null && request.id().equals(summary.id()) && (summary.hasResult() || summary.hasError())) {
                McpReply.passOn(exchange, body, summary);
                callback.done(true);
                return true;
            }
        }
        ObjectNode message = parse(body);
        if (status == 200 && message != null && request.id().equals(message.get("id"))
                && (message.has("result") || message.has("error"))) {
            if (call.session().qualified()) {
                McpNames.qualifyResourceUris(backend, request.method(), message);
            }
            if (call.modern() == null && message.get("result") instanceof ObjectNode result
                    && ModernBackend.INPUT_REQUIRED.equals(result.path("resultType").asText())
                    && InputBridge.canAsk(call, result)) {
                // a backend of MCP 2026-07-28 asks a client with a session: in that client's terms
                bridge.start(exchange, result, callback);
                return false;
            }
            ModernBackend.answer(backend, call.modern() != null, call.session().qualified(), message);
            McpReply.json(exchange, 200, message);
            callback.done(true);
            return true;
        }
        if (message != null && message.path("error").isObject()) {
            ObjectNode error = JsonRpc.error(request.id(), message.path("error").path("code").asInt(JsonRpc.INTERNAL_ERROR),
                    backend + ": " + message.path("error").path("message").asText("error"));
            JsonNode data = message.path("error").get("data");
            if (data != null) {
                // what the client needs to act on it, as -32021's requiredCapabilities
                ((ObjectNode) error.get("error")).set("data", data);
            }
            // a 2026-07-28 client reads a refusal of its request from the status too (400 for -32020, -32021, -32602);
            // any other status of the backend's (its own 401, say) is not the client's to act on
            McpReply.json(exchange, call.modern() != null && status == 400 ? 400 : 200, error);
            callback.done(true);
            return true;
        }
        McpReply.json(exchange, 200, JsonRpc.backendError(request.id(), backend,
                backend + ": answered HTTP " + status + (message == null ? " without a JSON-RPC message" : "")));
        callback.done(true);
        return true;
    }

    private static boolean contains(byte[] body, byte[] key) {
        if (body == null) {
            return false;
        }
        outer:
        for (int i = 0; i <= body.length - key.length; i++) {
            for (int j = 0; j < key.length; j++) {
                if (body[i + j] != key[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static ObjectNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode node = JsonRpc.MAPPER.readTree(body);
            return node instanceof ObjectNode o ? o : null;
        } catch (IOException e) {
            return null;
        }
    }
}
