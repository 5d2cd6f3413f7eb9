package dev.caravan.mcp;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;

import dev.caravan.core.ClientRequest;

/**
 * The sessionless MCP generation (2026-07-28) as the gateway's front door sees it. A request belongs to it when its
 * {@code params._meta} names a protocol version: then it carries the client's capabilities and info itself, and its
 * {@code MCP-Protocol-Version}, {@code Mcp-Method} and {@code Mcp-Name} headers must repeat what the body says, since
 * intermediaries route and limit on them; the gateway checks them and decides from the body. Refusals use the
 * generation's own codes and HTTP statuses: -32602 (400) for a bad envelope, -32020 (400) for headers that disagree
 * with the body, -32022 (400, with the versions supported) for a version it does not speak, -32601 (404) for a method
 * the generation does not have. The envelope is taken off the message before it goes on: backends of the older
 * generation are spoken to in their own terms, through sessions the gateway holds ({@link McpModernSessions}).
 */
public final class ModernRequest {

    public static final String VERSION = "2026-07-28";
    public static final List<String> VERSIONS = List.of(VERSION);
    static final int HEADER_MISMATCH = -32020;
    static final int UNSUPPORTED_VERSION = -32022;

    static final String PREFIX = "io.modelcontextprotocol/";
    static final String PROTOCOL_VERSION = PREFIX + "protocolVersion";
    static final String CLIENT_CAPABILITIES = PREFIX + "clientCapabilities";
    static final String CLIENT_INFO = PREFIX + "clientInfo";
    private static final String BASE64_START = "=?base64?";
    private static final String BASE64_END = "?=";
    /** base64 with its padding and nothing else: one value has one encoding */
    private static final Pattern CANONICAL_BASE64 =
            Pattern.compile("(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?");

    /** The requests of this generation the gateway serves; initialize, ping, logging/setLevel and the rest are gone. */
    private static final Set<String> METHODS = Set.of("server/discover", "tools/list", "tools/call", "prompts/list",
            "prompts/get", "resources/list", "resources/templates/list", "resources/read", "completion/complete",
            "subscriptions/listen");
    /** the methods whose {@code Mcp-Name} header names their target, and the params field it repeats */
    static final List<List<String>> NAMED = List.of(List.of("tools/call", "name"),
            List.of("prompts/get", "name"), List.of("resources/read", "uri"));

    /**
     * What a request of this generation says about its client: the version, capabilities and info it sent, and the
     * least severe log level it wants log messages of (null: none, for this request).
     */
    public record Envelope(String version, ObjectNode capabilities, JsonNode clientInfo, String logLevel) {

        /** Whether a message of a backend's stream reaches this client: anything but a log message below its level. */
        boolean wantsLog(JsonNode message) {
            if (!"notifications/message".equals(message.path("method").asText())) {
                return true;
            }
            int wanted = logLevel == null ? -1 : LOG_LEVELS.indexOf(logLevel);
            return wanted >= 0 && LOG_LEVELS.indexOf(message.path("params").path("level").asText()) >= wanted;
        }
    }

    /** MCP's log levels (syslog's), least severe first */
    private static final List<String> LOG_LEVELS = List.of("debug", "info", "notice", "warning", "error", "critical",
            "alert", "emergency");
    static final String LOG_LEVEL = PREFIX + "logLevel";

    private ModernRequest() {
    }

    /** Whether a protocol version belongs to this generation or a later one (versions are dates: text is none). */
    static boolean isModern(String version) {
        // asked several times per request: no regex (a Matcher each time)
        if (version == null || version.length() != 10 || version.charAt(4) != '-' || version.charAt(7) != '-') {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (i != 4 && i != 7 && (version.charAt(i) < '0' || version.charAt(i) > '9')) {
                return false;
            }
        }
        return version.compareTo(VERSION) >= 0;
    }

    /**
     * The envelope of a request of this generation, checked with its headers and taken off the message; null for a
     * message of the older generation. A notification of this generation has no envelope to check and gets an empty one.
     */
    static Envelope read(Exchange exchange, JsonRpc.Message message) {
        String header = ClientRequest.header(exchange, "MCP-Protocol-Version");
        header = header == null ? null : header.strip();
        ObjectNode params = message.params();
        JsonNode meta = params == null ? null : params.get("_meta");
        JsonNode claimed = meta == null ? null : meta.get(PROTOCOL_VERSION);
        if (claimed == null) {
            if (!isModern(header)) {
                return null;
            }
            if (message.kind() == JsonRpc.Kind.NOTIFICATION) {
                return new Envelope(header, JsonRpc.object(), null, null);
            }
            throw refusal(400, JsonRpc.INVALID_PARAMS, "Invalid params: MCP-Protocol-Version " + header
                    + " needs params._meta[\"" + PROTOCOL_VERSION + "\"] on every request", message);
        }
        if (!claimed.isTextual() || !(meta.get(CLIENT_CAPABILITIES) instanceof ObjectNode capabilities)) {
            throw refusal(400, JsonRpc.INVALID_PARAMS, "Invalid params: params._meta needs \"" + PROTOCOL_VERSION
                    + "\" (a string) and \"" + CLIENT_CAPABILITIES + "\" (an object)", message);
        }
        String version = claimed.asText();
        header = single(exchange, "MCP-Protocol-Version", message);
        header = header == null ? null : header.strip();
        if (header == null || !header.equals(version)) {
            throw mismatch("MCP-Protocol-Version", header, version, message);
        }
        if (!VERSIONS.contains(version)) {
            McpException unsupported = refusal(400, UNSUPPORTED_VERSION, "Unsupported protocol version: " + version,
                    message);
            ObjectNode data = JsonRpc.object();
            data.putArray("supported").add(VERSION);
            data.put("requested", version);
            throw unsupported.withData(data);
        }
        if (message.kind() == JsonRpc.Kind.REQUEST) {
            checkMethod(exchange, message);
        }
        JsonNode logLevel = meta.get(LOG_LEVEL);
        if (logLevel != null && !LOG_LEVELS.contains(logLevel.asText())) {
            throw refusal(400, JsonRpc.INVALID_PARAMS, "Invalid params: " + LOG_LEVEL + " must be one of "
                    + LOG_LEVELS, message);
        }
        // no copy: strip() below takes them off the message, so nothing else holds them
        Envelope envelope = new Envelope(version, capabilities, meta.get(CLIENT_INFO),
                logLevel == null ? null : logLevel.asText());
        strip((ObjectNode) meta, params);
        return envelope;
    }

    private static void checkMethod(Exchange exchange, JsonRpc.Message message) {
        String method = message.method();
        String header = single(exchange, "Mcp-Method", message);
        if (header == null || !header.strip().equals(method)) {
            throw mismatch("Mcp-Method", header, method, message);
        }
        if (!METHODS.contains(method)) {
            throw refusal(404, JsonRpc.METHOD_NOT_FOUND, "Method not found: " + method + " (not a method of MCP "
                    + VERSION + ")", message);
        }
        for (List<String> named : NAMED) {
            if (named.get(0).equals(method)) {
                JsonNode value = message.params().get(named.get(1));
                String name = single(exchange, "Mcp-Name", message);
                String body = value == null || !value.isTextual() ? null : value.asText();
                if (name == null || !decode("Mcp-Name", name, message).equals(body)) {
                    throw mismatch("Mcp-Name", name, body, message);
                }
            }
        }
    }

    /**
     * A standard header's one value, or null. Sent twice it is a mismatch: an intermediary that routes or limits on the
     * last of them would act on another value than the one the gateway checked against the body.
     */
    private static String single(Exchange exchange, String name, JsonRpc.Message message) {
        List<String> values = ClientRequest.headers(exchange).getAll(name);
        if (values.size() > 1) {
            throw refusal(400, HEADER_MISMATCH, "Header mismatch: " + name + " is sent " + values.size()
                    + " times", message);
        }
        return values.isEmpty() ? null : values.get(0);
    }

    /**
     * A header value as sent: plain, or {@code =?base64?...?=} for one that is not plain visible ASCII, in canonical
     * base64 of UTF-8 (anything else there is refused as a mismatch of {@code header}).
     */
    static String decode(String header, String value, JsonRpc.Message message) {
        if (!value.startsWith(BASE64_START) || !value.endsWith(BASE64_END)
                || value.length() < BASE64_START.length() + BASE64_END.length()) {
            return value;
        }
        String encoded = value.substring(BASE64_START.length(), value.length() - BASE64_END.length());
        try {
            if (!CANONICAL_BASE64.matcher(encoded).matches()) {
                throw new IllegalArgumentException("not canonical base64");
            }
            byte[] bytes = Base64.getDecoder().decode(encoded);
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException e) {
            throw mismatch(header, value, "(a value in base64)", message);
        }
    }

    /**
     * Gives a result what this generation adds to every one: {@code resultType}, and for a list, a resource read or
     * {@code server/discover} how long it may be cached and by whom. A merged list has its hints already
     * ({@link McpListMerge}); a read and the gateway's discover answer are not to be kept ({@code ttlMs} 0) and are
     * the caller's own ({@code private}): what a backend holds can change at any moment, unannounced (the gateway does
     * not relay {@code subscriptions/listen} yet), and access rules decide per caller. A request for input (a multi
     * round trip) gets neither.
     */
    static void complete(McpMethod method, ObjectNode result) {
        if (!result.has("resultType")) {
            result.put("resultType", "complete");
        }
        if (ModernBackend.INPUT_REQUIRED.equals(result.path("resultType").asText())) {
            return;
        }
        if (method != null && method.listKey() != null && result.has("ttlMs")) {
            return;
        }
        if (method != null && (method.listKey() != null || method == McpMethod.RESOURCES_READ
                               || method == McpMethod.SERVER_DISCOVER)) {
            result.put("ttlMs", 0);
            result.put("cacheScope", "private");
        }
    }

    /** Takes the envelope's keys off {@code _meta} (and {@code _meta} itself once empty): backends never see them. */
    static void strip(ObjectNode meta, ObjectNode params) {
        for (Iterator<String> names = meta.fieldNames(); names.hasNext(); ) {
            if (names.next().startsWith(PREFIX)) {
                names.remove();
            }
        }
        if (meta.isEmpty()) {
            params.remove("_meta");
        }
    }

    private static McpException mismatch(String header, String sent, String body, JsonRpc.Message message) {
        return refusal(400, HEADER_MISMATCH, "Header mismatch: " + header + " is "
                + (sent == null ? "missing" : "'" + sent.strip() + "'") + " but the body says '" + body + "'", message);
    }

    private static McpException refusal(int status, int code, String text, JsonRpc.Message message) {
        return new McpException(status, code, text, message.id());
    }
}
