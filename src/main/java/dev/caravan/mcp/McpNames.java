package dev.caravan.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How backend names qualify what clients see: tools and prompts become {@code <backend>_<name>}, resource URIs and
 * URI templates {@code <backend>+<uri>} (a valid URI scheme, so clients treat it as any other URI). Both are reversed
 * to route a call back to its backend.
 */
public final class McpNames {

    public static final char NAME_SEPARATOR = '_';
    public static final char URI_SEPARATOR = '+';

    private McpNames() {
    }

    public static String qualify(String backend, String name, char separator) {
        return backend + separator + name;
    }

    public static String unqualify(String backend, String qualified) {
        return qualified.substring(backend.length() + 1);
    }

    /** Qualifies {@code field} of {@code node} in place, if it is a string. */
    static void qualifyField(JsonNode node, String field, String backend, char separator) {
        if (node instanceof ObjectNode o && o.path(field).isTextual()) {
            o.put(field, qualify(backend, o.get(field).asText(), separator));
        }
    }

    /**
     * Qualifies the resource URIs inside a result or notification a backend sends, so a client that reads them back
     * reaches the same backend: resources/read contents, resource links and embedded resources in tool results and
     * prompt messages, and resource update notifications.
     */
    public static void qualifyResourceUris(String backend, String method, JsonNode message) {
        JsonNode result = message.get("result");
        McpMethod answered = McpMethod.of(method);
        if (result != null && answered != null) {
            switch (answered) {
                case RESOURCES_READ -> result.path("contents")
                        .forEach(c -> qualifyField(c, "uri", backend, URI_SEPARATOR));
                case TOOLS_CALL -> result.path("content").forEach(c -> qualifyContent(backend, c));
                case PROMPTS_GET -> result.path("messages").forEach(m -> qualifyContent(backend, m.path("content")));
                default -> {
                    // other results carry no backend URIs
                }
            }
        }
        if ("notifications/resources/updated".equals(message.path("method").asText())) {
            qualifyField(message.get("params"), "uri", backend, URI_SEPARATOR);
        }
    }

    private static void qualifyContent(String backend, JsonNode content) {
        switch (content.path("type").asText()) {
            case "resource_link" -> qualifyField(content, "uri", backend, URI_SEPARATOR);
            case "resource" -> qualifyField(content.get("resource"), "uri", backend, URI_SEPARATOR);
            default -> {
                // text, image and audio content hold no URIs
            }
        }
    }
}
