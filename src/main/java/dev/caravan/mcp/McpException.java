package dev.caravan.mcp;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A request the gateway answers with a JSON-RPC error: {@code httpStatus} for the transport, {@code code} and message
 * for the JSON-RPC error object. Thrown by the MCP processors and turned into a reply by {@link McpErrorReply}.
 */
public final class McpException extends RuntimeException {

    private final int httpStatus;
    private final int code;
    private final transient JsonNode id;
    private final transient JsonNode data;

    public McpException(int httpStatus, int code, String message, JsonNode id) {
        this(httpStatus, code, message, id, null);
    }

    private McpException(int httpStatus, int code, String message, JsonNode id, JsonNode data) {
        super(message, null, false, false);
        this.httpStatus = httpStatus;
        this.code = code;
        this.id = id;
        this.data = data;
    }

    /** The same refusal with {@code error.data} (what the client needs to correct its request). */
    public McpException withData(JsonNode errorData) {
        return new McpException(httpStatus, code, getMessage(), id, errorData);
    }

    /** A transport-level refusal (bad headers, session problems): JSON-RPC code -32000, no request id. */
    public static McpException transport(int httpStatus, String message) {
        return new McpException(httpStatus, JsonRpc.SERVER_ERROR, message, null);
    }

    public static McpException invalidParams(String message, JsonNode id) {
        return new McpException(200, JsonRpc.INVALID_PARAMS, message, id);
    }

    public int httpStatus() {
        return httpStatus;
    }

    public int code() {
        return code;
    }

    public JsonNode id() {
        return id;
    }

    /** {@code error.data}, or null */
    public JsonNode data() {
        return data;
    }
}
