package dev.caravan.mcp;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import dev.caravan.core.ClientRequest;

/**
 * The {@code Mcp-Param-*} headers of MCP 2026-07-28: a tool's input schema may mark an argument with
 * {@code x-mcp-header: Name}, and a client then repeats that argument's value in an {@code Mcp-Param-Name} header
 * of its call, for intermediaries to route or limit on. The gateway learns each backend's marks from the
 * {@code tools/list} answers that pass through it; it checks a 2026-07-28 client's headers against the body
 * (-32020 on a missing or different value, as a server must), and sets them on calls to a backend of that generation,
 * which checks them too. A tool the gateway has not seen listed on this replica has no marks it knows of.
 */
public final class ToolParamHeaders {

    static final String PREFIX = "Mcp-Param-";
    /** RFC 9110's token: what a header name may be */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern VISIBLE = Pattern.compile("[\\x20-\\x7e\\t]{0,8192}");
    private static final int MAX_FORWARDED = 32;
    private static final Pattern DECIMAL = Pattern.compile("-?\\d+(\\.\\d+)?");

    /** One marked argument: where it is in the arguments, the header that repeats it, and its type. */
    record Declaration(List<String> path, String header, String type) {
    }

    /** the marks of each backend's tools, by backend and the tool's own name */
    private final Map<String, Map<String, List<Declaration>>> byBackend = new ConcurrentHashMap<>();

    /** Whether a header is one of these, whatever its case. */
    static boolean isParamHeader(String name) {
        return name.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
    }

    /** Keeps the marks of the tools a backend listed. */
    void learn(String backend, JsonNode tools) {
        Map<String, List<Declaration>> known = byBackend.computeIfAbsent(backend, b -> new ConcurrentHashMap<>());
        for (JsonNode tool : tools) {
            if (tool.path("name").isTextual()) {
                // only marked tools are kept: memory grows with them, not with every name a backend lists
                List<Declaration> marks = declared(tool.path("inputSchema"));
                if (marks.isEmpty()) {
                    known.remove(tool.get("name").asText());
                } else {
                    known.put(tool.get("name").asText(), marks);
                }
            }
        }
    }

    /** The marks of a backend's tool, by its own name; null for one with none or not seen listed. */
    List<Declaration> of(String backend, String tool) {
        Map<String, List<Declaration>> known = byBackend.get(backend);
        return known == null ? null : known.get(tool);
    }

    /**
     * The marked arguments of an input schema, reached from its root through {@code properties} only, with a token
     * as header name and a primitive type; a mark anywhere else is one the spec does not let a client act on.
     */
    static List<Declaration> declared(JsonNode schema) {
        List<Declaration> found = new ArrayList<>();
        collect(schema, new ArrayList<>(), found);
        return List.copyOf(found);
    }

    private static void collect(JsonNode schema, List<String> path, List<Declaration> found) {
        JsonNode header = schema.get("x-mcp-header");
        String type = schema.path("type").asText("");
        if (!path.isEmpty() && header != null && header.isTextual() && TOKEN.matcher(header.asText()).matches()
                && List.of("string", "integer", "boolean", "number").contains(type)) {
            found.add(new Declaration(List.copyOf(path), header.asText(), type));
        }
        if (schema.get("properties") instanceof ObjectNode properties) {
            properties.fields().forEachRemaining(p -> {
                List<String> deeper = new ArrayList<>(path);
                deeper.add(p.getKey());
                collect(p.getValue(), deeper, found);
            });
        }
    }

    /**
     * Checks a 2026-07-28 client's headers against the arguments of its call: for each marked argument with a value,
     * its header must be there once and say the same (integers compared as numbers); a header for an argument without
     * a value is not looked at.
     */
    static void check(Exchange exchange, List<Declaration> declarations, JsonNode arguments,
                      JsonRpc.Message message) {
        for (Declaration d : declarations) {
            JsonNode value = valueAt(arguments, d.path());
            if (infinite(value)) {
                throw McpException.invalidParams("Invalid params: argument " + String.join(".", d.path())
                        + " is a number too large for its Mcp-Param header (it reads as infinite)", message.id());
            }
            String body = text(value);
            if (body == null) {
                continue;
            }
            String name = PREFIX + d.header();
            List<String> sent = ClientRequest.headers(exchange).getAll(name);
            if (sent.size() != 1) {
                throw mismatch(name, sent.isEmpty() ? "is missing" : "is sent " + sent.size() + " times", body,
                        message);
            }
            String decoded = ModernRequest.decode(name, sent.get(0), message);
            boolean numeric = (d.type().equals("integer") || d.type().equals("number"))
                              && DECIMAL.matcher(decoded).matches() && DECIMAL.matcher(body).matches();
            if (numeric ? new BigDecimal(decoded).compareTo(new BigDecimal(body)) != 0 : !decoded.equals(body)) {
                throw mismatch(name, "is '" + decoded + "'", body, message);
            }
        }
    }

    /** Sets the headers of a call to a backend of MCP 2026-07-28 from the arguments its tool marks. */
    static void set(Message request, List<Declaration> declarations, JsonNode arguments) {
        for (Declaration d : declarations) {
            String value = text(valueAt(arguments, d.path()));
            if (value != null) {
                request.setHeader(PREFIX + d.header(), ModernBackend.headerValue(value));
            }
        }
    }

    /**
     * Passes a 2026-07-28 client's {@code Mcp-Param-*} headers on as it sent them, for a tool whose marks the gateway
     * does not know: at most {@value #MAX_FORWARDED}, each sent once and of visible ASCII; the backend checks them.
     */
    static void forward(Exchange exchange, Message request) {
        int forwarded = 0;
        for (Map.Entry<String, String> header : ClientRequest.headers(exchange)) {
            String name = header.getKey();
            if (isParamHeader(name) && forwarded < MAX_FORWARDED
                    && ClientRequest.headers(exchange).getAll(name).size() == 1 && TOKEN.matcher(name).matches()
                    && VISIBLE.matcher(header.getValue()).matches()) {
                request.setHeader(name, header.getValue());
                forwarded++;
            }
        }
    }

    private static JsonNode valueAt(JsonNode arguments, List<String> path) {
        JsonNode node = arguments;
        for (String key : path) {
            node = node == null ? null : node.get(key);
        }
        return node;
    }

    /** Whether a value is a number too large for a double (1e400): it has no decimal to write in a header. */
    private static boolean infinite(JsonNode value) {
        return value != null && value.isFloatingPointNumber() && !Double.isFinite(value.doubleValue());
    }

    /**
     * A primitive value as a header carries it; null for none (absent, null, not a primitive, or an infinite number:
     * the client's check refused that already, and the backend of a client with a session judges it itself).
     */
    private static String text(JsonNode value) {
        if (value == null || !value.isValueNode() || value.isNull() || infinite(value)) {
            return null;
        }
        return value.isNumber() ? value.decimalValue().stripTrailingZeros().toPlainString() : value.asText();
    }

    private static McpException mismatch(String header, String what, String body, JsonRpc.Message message) {
        return new McpException(400, ModernRequest.HEADER_MISMATCH, "Header mismatch: " + header + " " + what
                + " but the arguments say '" + body + "'", message.id());
    }
}
