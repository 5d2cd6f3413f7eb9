package dev.caravan.mcp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import dev.caravan.proxy.SseParser;
import dev.caravan.proxy.UpstreamException;

/**
 * Reads what one backend answered to a fan-out request, as captured by the upstream call: the JSON-RPC response with
 * the request's id, from a JSON body or from an SSE stream. Anything else is a failure with a reason fit for a log line
 * and a metric label.
 */
record BackendAnswer(String backend, ObjectNode response, String sessionId, String failure, String failureKind) {

    /** the capability a backend holds when it declared {@code resources.subscribe} */
    static final String SUBSCRIBE = "resources.subscribe";

    static BackendAnswer of(Exchange sub, JsonNode requestId) {
        String backend = McpCall.of(sub).backend();
        Exception error = sub.getException();
        if (McpCall.of(sub).relayed()) {
            // streamed straight to the client (a GET stream); nothing to merge
            return new BackendAnswer(backend, null, null, null, null);
        }
        if (error instanceof UpstreamException u) {
            return failed(backend, u.getMessage(), u.kind().name().toLowerCase());
        }
        if (error != null) {
            return failed(backend, backend + ": " + error.getClass().getSimpleName(), "internal");
        }
        Message m = sub.getMessage();
        int status = m.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        if (status == 202 && requestId == null) {
            return new BackendAnswer(backend, null, null, null, null);
        }
        if (status < 200 || status >= 300) {
            return failed(backend, backend + ": answered HTTP " + status + refusal(m.getBody(byte[].class)),
                    "http_" + status);
        }
        if (requestId == null) {
            return new BackendAnswer(backend, null, null, null, null);
        }
        byte[] body = m.getBody(byte[].class);
        String type = m.getHeader("content-type", "", String.class);
        try {
            for (JsonNode message : messages(body == null ? new byte[0] : body, type.startsWith("text/event-stream"))) {
                if (message instanceof ObjectNode o && !o.has("method") && requestId.equals(o.get("id"))) {
                    if (o.has("error")) {
                        return failed(backend, backend + ": error " + o.path("error").path("code").asInt() + " "
                                               + o.path("error").path("message").asText(), "jsonrpc_error");
                    }
                    if (!o.path("result").isObject()) {
                        return failed(backend, backend + ": response has no result object", "garbage");
                    }
                    return new BackendAnswer(backend, o, m.getHeader("mcp-session-id", String.class), null, null);
                }
            }
        } catch (IOException | RuntimeException e) {
            return failed(backend, backend + ": answer is not JSON-RPC", "garbage");
        }
        return failed(backend, backend + ": no response to the request in the answer", "garbage");
    }

    /**
     * What a refusal's JSON-RPC error says, for the log line: a server of the 2026-07-28 generation only refuses an
     * initialize with -32022 and the versions it speaks, which an operator needs to see. Empty for any other body.
     */
    static String refusal(byte[] body) {
        JsonNode error = JsonRpc.errorIn(body);
        if (!error.path("code").isInt()) {
            return "";
        }
        String message = error.path("message").asText("");
        JsonNode supported = error.path("data").path("supported");
        return " (error " + error.get("code").asInt() + " " + message.substring(0, Math.min(message.length(), 200))
               + (supported.isArray() ? ", supported: " + supported : "") + ")";
    }

    private static BackendAnswer failed(String backend, String why, String kind) {
        return new BackendAnswer(backend, null, null, why, kind);
    }

    private static List<JsonNode> messages(byte[] body, boolean sse) throws IOException {
        if (!sse) {
            return List.of(JsonRpc.MAPPER.readTree(body));
        }
        List<JsonNode> out = new ArrayList<>();
        List<String> data = new ArrayList<>();
        SseParser parser = new SseParser(e -> {
            if (e.data() != null && !e.data().isEmpty()) {
                data.add(e.data());
            }
        }, Integer.MAX_VALUE);
        parser.feed(body);
        parser.feed(new byte[] {'\n', '\n'});
        for (String d : data) {
            out.add(JsonRpc.MAPPER.readTree(d));
        }
        return out;
    }

    boolean ok() {
        return failure == null;
    }

    ObjectNode result() {
        return (ObjectNode) response.get("result");
    }

    /**
     * The backend's side of a session, from its answer to initialize: its session id, protocol version and the
     * capabilities it declared, plus {@value #SUBSCRIBE} when it lets clients subscribe to resources.
     */
    McpSessions.Backend held() {
        Set<String> declared = new TreeSet<>();
        result().path("capabilities").fieldNames().forEachRemaining(declared::add);
        if (result().path("capabilities").path("resources").path("subscribe").asBoolean(false)) {
            declared.add(SUBSCRIBE);
        }
        return new McpSessions.Backend(sessionId, result().path("protocolVersion").asText(null), declared);
    }
}
