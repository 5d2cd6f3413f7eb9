package dev.caravan.mcp;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The sessionless MCP generation (2026-07-28) as the gateway speaks it to a backend that speaks only it. Such a
 * backend refuses {@code initialize} with -32022 and the versions it speaks; the gateway then asks it
 * {@code server/discover} instead and reads the answer as the initialize result it merges, so the backend joins every
 * gateway session with no session id of its own. Each request to it carries the envelope in {@code params._meta} (the
 * version, the calling client's capabilities and info, a 2026-07-28 client's log level) and the standard headers that
 * repeat the body. Messages the generation has no use for (notifications, logging/setLevel, the end of a session, a
 * GET stream) are not sent to it.
 * <p>
 * A backend's multi round-trip request ({@code resultType: "input_required"}) reaches a 2026-07-28 client with the keys
 * of its {@code inputRequests} qualified by the backend's name, as tools are, so that they cannot be taken for another
 * backend's; the client's retry must answer with keys of the backend the call goes to, which gets its own keys back.
 * A client of the older generation declared no such round trips and gets a JSON-RPC error instead.
 */
final class ModernBackend {

    static final String INPUT_REQUIRED = "input_required";
    /** between a backend's name and its own key, as in {@code knowledge-base:confirm}: names have no colon */
    static final char KEY_SEPARATOR = ':';
    private static final String DISCOVER = "server/discover";
    private static final String SERVER_INFO = ModernRequest.PREFIX + "serverInfo";
    private static final String BASE64_START = "=?base64?";

    private ModernBackend() {
    }

    /** Whether the backend's side of a session is of this generation (no session, an envelope on every request). */
    static boolean speaks(McpSessions.Backend held) {
        return held != null && ModernRequest.isModern(held.protocolVersion());
    }

    /**
     * Whether a backend refused {@code initialize} as a server of this generation only does: -32022 with a version the
     * gateway speaks among those it supports.
     */
    static boolean refusedInitialize(Exchange exchange) {
        JsonNode error = refusal(exchange);
        for (JsonNode version : error.path("data").path("supported")) {
            if (error.path("code").asInt() == ModernRequest.UNSUPPORTED_VERSION
                    && ModernRequest.VERSIONS.contains(version.asText())) {
                return true;
            }
        }
        return false;
    }

    /** Whether a backend refused a request's headers as disagreeing with its body (-32020). */
    static boolean refusedHeaders(Exchange exchange) {
        return refusal(exchange).path("code").asInt() == ModernRequest.HEADER_MISMATCH;
    }

    /** Makes a refusal of the gateway's the answer of the exchange's backend, as the backend would have answered. */
    static void refuse(Exchange exchange, McpException refused) {
        Message m = exchange.getMessage();
        m.getHeaders().clear();
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, refused.httpStatus());
        m.setHeader("content-type", "application/json");
        m.setBody(JsonRpc.bytes(JsonRpc.error(refused.id(), refused.code(), refused.getMessage())));
    }

    /** The JSON-RPC error of a backend's 4xx answer; a missing node for any other answer. */
    private static JsonNode refusal(Exchange exchange) {
        Message m = exchange.getMessage();
        int status = m.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        return exchange.getException() != null || status < 400 || status >= 500 ? MissingNode.getInstance()
                : JsonRpc.errorIn(m.getBody(byte[].class));
    }

    /**
     * Turns the exchange's {@code initialize} for a backend into {@code server/discover} with the same id, its envelope
     * made of what the initialize said about the client.
     */
    static JsonNode discoverInstead(Exchange exchange) {
        JsonNode initialize = json(exchange.getMessage().getBody(byte[].class));
        ObjectNode discover = JsonRpc.request(initialize.get("id"), DISCOVER);
        JsonNode params = initialize.path("params");
        ObjectNode meta = discover.putObject("params").putObject("_meta");
        meta.put(ModernRequest.PROTOCOL_VERSION, ModernRequest.VERSION);
        meta.set(ModernRequest.CLIENT_CAPABILITIES, backendCapabilities(params.path("capabilities")));
        meta.set(ModernRequest.CLIENT_INFO, clientInfo(params.path("clientInfo")));
        // the message may hold the refusal's response already: the request is made anew
        Message m = exchange.getMessage();
        m.getHeaders().clear();
        m.setHeader(Exchange.HTTP_METHOD, "POST");
        m.setHeader("Accept", "application/json, text/event-stream");
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setBody(JsonRpc.bytes(discover));
        standardHeaders(m, DISCOVER, null);
        return discover.get("id");
    }

    /**
     * Turns a backend's answer to {@code server/discover} into the answer to initialize it stands for: the version of
     * this generation, the capabilities, instructions and server info it gave. Another answer is left as it is.
     * Returns the answer as read.
     */
    static BackendAnswer answerAsInitialize(Exchange exchange, JsonNode id) {
        BackendAnswer answer = BackendAnswer.of(exchange, id);
        if (!answer.ok()) {
            return answer;
        }
        ObjectNode discovered = answer.result();
        ObjectNode result = JsonRpc.object();
        result.put("protocolVersion", ModernRequest.VERSION);
        result.set("capabilities", discovered.path("capabilities") instanceof ObjectNode c ? c : JsonRpc.object());
        result.set("serverInfo", discovered.path("_meta").path(SERVER_INFO));
        if (discovered.path("instructions").isTextual()) {
            result.set("instructions", discovered.get("instructions"));
        }
        Message m = exchange.getMessage();
        m.removeHeader("mcp-session-id");
        m.setHeader("content-type", "application/json");
        m.setBody(JsonRpc.bytes(JsonRpc.result(id, result)));
        return answer;
    }

    /**
     * The request as this backend takes it: a copy of {@code message} with the envelope in {@code params._meta}. The
     * capabilities are those of a 2026-07-28 client's request, whose round trips reach it; a client with a session
     * declared none the gateway can carry.
     */
    static ObjectNode request(JsonNode message, McpCall call) {
        ObjectNode copy = message.deepCopy();
        ObjectNode params = copy.get("params") instanceof ObjectNode p ? p : copy.putObject("params");
        // the envelope is the gateway's alone: a client with a session may have put keys of its namespace in _meta
        // (a log level it never set, say), which a 2026-07-28 client's request no longer holds (ModernRequest.read)
        if (params.get("_meta") instanceof ObjectNode own) {
            ModernRequest.strip(own, params);
        }
        ObjectNode meta = params.get("_meta") instanceof ObjectNode o ? o : params.putObject("_meta");
        ModernRequest.Envelope modern = call.modern();
        McpSessions.Session session = call.session();
        meta.put(ModernRequest.PROTOCOL_VERSION, ModernRequest.VERSION);
        // a client with a session declared at initialize what the gateway may ask it (InputBridge)
        meta.set(ModernRequest.CLIENT_CAPABILITIES, modern != null ? modern.capabilities()
                : session != null && session.client() != null && session.client().get("capabilities") != null
                ? session.client().get("capabilities") : JsonRpc.object());
        meta.set(ModernRequest.CLIENT_INFO, clientInfo(modern != null ? modern.clientInfo()
                : session != null && session.client() != null ? session.client().path("clientInfo") : null));
        if (modern != null && modern.logLevel() != null) {
            meta.put(ModernRequest.LOG_LEVEL, modern.logLevel());
        }
        return copy;
    }

    /** Sets the headers that repeat the body of a request to this backend. */
    static void standardHeaders(Message m, String method, JsonNode params) {
        m.setHeader("MCP-Protocol-Version", ModernRequest.VERSION);
        m.setHeader("Mcp-Method", method);
        for (List<String> named : ModernRequest.NAMED) {
            JsonNode value = params == null ? null : params.get(named.get(1));
            if (named.get(0).equals(method) && value != null && value.isTextual()) {
                m.setHeader("Mcp-Name", headerValue(value.asText()));
            }
        }
    }

    /**
     * A value as a header carries it: as it is when it is visible ASCII without space at either end, otherwise (or when
     * it looks like an encoded one) its UTF-8 in base64 between {@code =?base64?} and {@code ?=}.
     */
    static String headerValue(String value) {
        boolean plain = !value.isEmpty() && !value.startsWith(BASE64_START) && value.strip().equals(value);
        for (int i = 0; plain && i < value.length(); i++) {
            char c = value.charAt(i);
            plain = c == ' ' || c == '\t' || (c >= 0x21 && c <= 0x7e);
        }
        return plain ? value : BASE64_START + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))
                               + "?=";
    }

    /**
     * Whether the gateway answers the backend's part of this exchange itself, having nothing to send to a backend of
     * this generation: notifications (202), logging/setLevel (an empty result: the level travels with each request of
     * a 2026-07-28 client), the end of a session and a client's answer to a request (no session to end or answer in).
     */
    static boolean answeredHere(Exchange exchange) {
        McpCall call = McpCall.of(exchange);
        McpSessions.Session session = call.session();
        if (session == null || !speaks(session.backends().get(call.backend()))) {
            return false;
        }
        JsonRpc.Message message = call.message();
        Message m = exchange.getMessage();
        if (message != null && message.kind() == JsonRpc.Kind.REQUEST && !McpMethod.LOGGING_SET_LEVEL.wireName()
                .equals(message.method())) {
            return false;
        }
        m.getHeaders().clear();
        if (message != null && message.kind() == JsonRpc.Kind.REQUEST) {
            m.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
            m.setHeader("content-type", "application/json");
            m.setBody(JsonRpc.bytes(JsonRpc.result(message.id(), JsonRpc.object())));
        } else {
            m.setHeader(Exchange.HTTP_RESPONSE_CODE, message == null ? 200 : 202);
            m.setBody(null);
        }
        return true;
    }

    /**
     * A backend's result as its client gets it: without the backend's server info, and when it asks for input, for a
     * 2026-07-28 client with the keys qualified by the backend's name (when the session qualifies names); for a client
     * of the older generation, which cannot make the round trip, a JSON-RPC error in place of the result.
     */
    static void answer(String backend, boolean modernClient, boolean qualified, ObjectNode response) {
        if (!(response.get("result") instanceof ObjectNode result)) {
            return;
        }
        // the client's server is the gateway, which names itself in server/discover
        if (result.get("_meta") instanceof ObjectNode meta && meta.remove(SERVER_INFO) != null && meta.isEmpty()) {
            result.remove("_meta");
        }
        if (!INPUT_REQUIRED.equals(result.path("resultType").asText())) {
            return;
        }
        if (!modernClient) {
            response.remove("result");
            response.set("error", JsonRpc.backendError(null, backend, backend + ": the server asked for input in a "
                    + "multi round-trip request (MCP " + ModernRequest.VERSION + "), which the gateway does not pass to "
                    + "a client with a session yet").get("error"));
            return;
        }
        if (qualified && result.get("inputRequests") instanceof ObjectNode requests) {
            ObjectNode keyed = JsonRpc.object();
            requests.fields().forEachRemaining(e -> keyed.set(backend + KEY_SEPARATOR + e.getKey(), e.getValue()));
            result.set("inputRequests", keyed);
        }
    }

    /**
     * Gives a retry's {@code inputResponses} the keys of {@code backend}, which the call goes to: each key must name it,
     * as the gateway qualified them; a key of another backend, or none, is refused (-32602): a client cannot answer one
     * backend's question to another.
     */
    static void unqualifyResponses(String backend, ObjectNode params, JsonRpc.Message message) {
        if (!(params.get("inputResponses") instanceof ObjectNode responses)) {
            if (params.has("inputResponses")) {
                throw McpException.invalidParams("Invalid params: inputResponses must be an object", message.id());
            }
            return;
        }
        String prefix = backend + KEY_SEPARATOR;
        ObjectNode own = JsonRpc.object();
        for (Iterator<Map.Entry<String, JsonNode>> it = responses.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().startsWith(prefix) || e.getKey().length() == prefix.length()) {
                throw McpException.invalidParams("Invalid params: inputResponses key '" + e.getKey()
                        + "' was not asked by " + backend + ", which this request goes to", message.id());
            }
            own.set(e.getKey().substring(prefix.length()), e.getValue());
        }
        params.set("inputResponses", own);
    }

    /** The client's capabilities a backend may use in a request of the older client: none it could carry back. */
    private static ObjectNode backendCapabilities(JsonNode declared) {
        ObjectNode capabilities = declared instanceof ObjectNode o ? o.deepCopy() : JsonRpc.object();
        capabilities.remove(List.of("elicitation", "sampling", "roots"));
        return capabilities;
    }

    private static JsonNode clientInfo(JsonNode info) {
        return info instanceof ObjectNode o && o.path("name").isTextual() ? o
                : JsonRpc.object().put("name", "caravan").put("version", "0");
    }

    private static JsonNode json(byte[] body) {
        try {
            return JsonRpc.MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the gateway's own message is not JSON", e);
        }
    }
}
