package dev.caravan.mcp;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON-RPC 2.0 messages as MCP uses them: parsing, classification and building replies. */
public final class JsonRpc {

    public static final int PARSE_ERROR = -32700;
    public static final int INVALID_REQUEST = -32600;
    public static final int METHOD_NOT_FOUND = -32601;
    public static final int INVALID_PARAMS = -32602;
    public static final int INTERNAL_ERROR = -32603;
    /** implementation-defined server error, used for transport-level refusals as the MCP SDKs do */
    public static final int SERVER_ERROR = -32000;

    public static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** What a message is, by the JSON-RPC rules: a request has a method and an id, a notification only a method. */
    public enum Kind {
        REQUEST, NOTIFICATION, RESPONSE
    }

    /** One parsed, validated message. */
    public record Message(ObjectNode json, Kind kind, JsonNode id, String method) {

        public ObjectNode params() {
            JsonNode p = json.get("params");
            return p instanceof ObjectNode o ? o : null;
        }

        /** The params object, created if the message had none. */
        public ObjectNode paramsForUpdate() {
            ObjectNode p = params();
            return p != null ? p : json.putObject("params");
        }
    }

    private JsonRpc() {
    }

    /** Parses one JSON-RPC message; rejects batches and anything that is not JSON-RPC 2.0. */
    public static Message parse(byte[] body) {
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (IOException e) {
            throw new McpException(400, PARSE_ERROR, "Parse error: body is not valid JSON", null);
        }
        if (node == null || node.isMissingNode()) {
            throw new McpException(400, PARSE_ERROR, "Parse error: empty body", null);
        }
        if (node.isArray()) {
            throw new McpException(400, INVALID_REQUEST,
                    "Invalid Request: JSON-RPC batches are not supported since MCP 2025-06-18; send one message per POST",
                    null);
        }
        if (!(node instanceof ObjectNode json) || !"2.0".equals(json.path("jsonrpc").asText(null))) {
            throw new McpException(400, INVALID_REQUEST, "Invalid Request: not a JSON-RPC 2.0 message", null);
        }
        JsonNode id = json.get("id");
        if (id != null && !(id.isTextual() || id.isIntegralNumber())) {
            throw new McpException(400, INVALID_REQUEST, "Invalid Request: id must be a string or an integer", null);
        }
        JsonNode method = json.get("method");
        if (method != null) {
            if (!method.isTextual() || method.asText().isEmpty()) {
                throw new McpException(400, INVALID_REQUEST, "Invalid Request: method must be a non-empty string", id);
            }
            JsonNode params = json.get("params");
            if (params != null && !params.isObject()) {
                throw new McpException(400, INVALID_REQUEST, "Invalid Request: params must be an object", id);
            }
            return new Message(json, id == null ? Kind.NOTIFICATION : Kind.REQUEST, id, method.asText());
        }
        if (id != null && (json.has("result") || json.has("error"))) {
            return new Message(json, Kind.RESPONSE, id, null);
        }
        throw new McpException(400, INVALID_REQUEST, "Invalid Request: neither a request, a notification nor a response",
                id);
    }

    /**
     * What the top level of a JSON-RPC response says, read by {@link #scanResponse} without building a tree: its id,
     * whether it has a result or an error, the error's code and message, and whether the result is a tool's error
     * ({@code isError}).
     */
    public record ResponseSummary(JsonNode id, boolean hasResult, boolean hasError, int errorCode,
                                  String errorMessage, boolean toolError) {
    }

    private static final JsonFactory STRICT = JsonFactory
            .builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /**
     * Reads one JSON object's top level (and the flags of its result or error) as it streams by: null unless the body
     * is exactly one JSON object with no key twice at any level, so that what the client gets when the bytes are
     * passed on is what the gateway read.
     */
    public static ResponseSummary scanResponse(byte[] body) {
        try (JsonParser p = STRICT.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            JsonNode id = null;
            boolean hasResult = false;
            boolean hasError = false;
            int code = 0;
            String message = null;
            boolean toolError = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "id" -> id = MAPPER.readTree(p);
                    case "result" -> {
                        hasResult = true;
                        toolError = value == JsonToken.START_OBJECT
                                && Boolean.TRUE.equals(member(p, "isError"));
                    }
                    case "error" -> {
                        hasError = true;
                        if (value == JsonToken.START_OBJECT) {
                            JsonNode error = MAPPER.readTree(p);
                            code = error.path("code").asInt();
                            message = error.path("message").asText();
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null;
            }
            return new ResponseSummary(id, hasResult, hasError, code, message, toolError);
        } catch (IOException e) {
            return null;
        }
    }

    /** The scalar {@code name} of the object the parser is at the start of, which it reads to its end. */
    private static Object member(JsonParser p, String name) throws IOException {
        Object found = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean wanted = name.equals(p.currentName());
            JsonToken value = p.nextToken();
            if (wanted && value.isBoolean()) {
                found = p.getBooleanValue();
            } else {
                p.skipChildren();
            }
        }
        return found;
    }

    /** A request of the gateway's own, to which params may be added. */
    public static ObjectNode request(JsonNode id, String method) {
        ObjectNode request = NODES.objectNode();
        request.put("jsonrpc", "2.0");
        request.set("id", id);
        request.put("method", method);
        return request;
    }

    /** A notification of the gateway's own, to which params may be added. */
    public static ObjectNode notification(String method) {
        ObjectNode notification = NODES.objectNode();
        notification.put("jsonrpc", "2.0");
        notification.put("method", method);
        return notification;
    }

    public static ObjectNode result(JsonNode id, JsonNode result) {
        ObjectNode reply = NODES.objectNode();
        reply.put("jsonrpc", "2.0");
        reply.set("id", id == null ? NullNode.instance : id);
        reply.set("result", result);
        return reply;
    }

    public static ObjectNode error(JsonNode id, int code, String message) {
        ObjectNode reply = NODES.objectNode();
        reply.put("jsonrpc", "2.0");
        reply.set("id", id == null ? NullNode.instance : id);
        ObjectNode error = reply.putObject("error");
        error.put("code", code);
        error.put("message", message);
        return reply;
    }

    /** An internal error that names the backend it came from, in the message and as {@code error.data.backend}. */
    public static ObjectNode backendError(JsonNode id, String backend, String message) {
        ObjectNode reply = error(id, INTERNAL_ERROR, message);
        ((ObjectNode) reply.get("error")).putObject("data").put("backend", backend);
        return reply;
    }

    /** The {@code error} member of a JSON-RPC message in {@code body}; a missing node when it has none or is not JSON. */
    static JsonNode errorIn(byte[] body) {
        try {
            return body == null || body.length == 0 ? MissingNode.getInstance() : MAPPER.readTree(body).path("error");
        } catch (IOException | RuntimeException e) {
            return MissingNode.getInstance();
        }
    }

    public static ObjectNode object() {
        return NODES.objectNode();
    }

    public static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String text(JsonNode node) {
        return node.toString();
    }
}
