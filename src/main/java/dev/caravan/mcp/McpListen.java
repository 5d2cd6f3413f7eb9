package dev.caravan.mcp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A 2026-07-28 client's {@code subscriptions/listen}, merged across backends: the list changes and resource updates it
 * asked for, from every backend that can tell them. A backend of that generation gets a listen of its own, for its
 * share of the filter; one of the older generation is heard on the GET stream of the session the gateway keeps for the
 * caller, which carries its list changes (resource updates would need {@code resources/subscribe} on that shared
 * session, so they are not promised for those backends). The client is told first what is honoured
 * ({@code notifications/subscriptions/acknowledged}); every notification carries the listen's id as its
 * {@code subscriptionId}, and nothing else of the backends' streams reaches it (no progress, logs or requests). When
 * every backend stream is over, the listen ends with its result.
 */
final class McpListen {

    private static final String SUBSCRIPTION_ID = ModernRequest.PREFIX + "subscriptionId";
    private static final Map<String, String> LIST_CHANGES = Map.of(
            "toolsListChanged", "notifications/tools/list_changed",
            "promptsListChanged", "notifications/prompts/list_changed",
            "resourcesListChanged", "notifications/resources/list_changed");
    private static final Map<String, String> CAPABILITY = Map.of(
            "toolsListChanged", "tools", "promptsListChanged", "prompts", "resourcesListChanged", "resources");
    private static final String UPDATED = "notifications/resources/updated";

    private final JsonNode id;
    private final ObjectNode honoured;

    private McpListen(JsonNode id, ObjectNode honoured) {
        this.id = id;
        this.honoured = honoured;
    }

    /**
     * The listen of {@code message}, honouring what the session's backends ({@code held}, by name) can tell: a list
     * change when one of them has that capability, a resource (qualified, in a session that qualifies names) when its
     * backend speaks 2026-07-28 and takes subscriptions.
     */
    static McpListen of(JsonRpc.Message message, Map<String, McpSessions.Backend> held, boolean qualified,
                        McpBackends backends) {
        JsonNode asked = message.params() == null ? null : message.params().get("notifications");
        if (asked != null && !asked.isObject()) {
            throw McpException.invalidParams("Invalid params: notifications must be an object", message.id());
        }
        ObjectNode honoured = JsonRpc.object();
        if (asked == null) {
            return new McpListen(message.id(), honoured);
        }
        checkFilter(asked, message);
        CAPABILITY.forEach((flag, capability) -> {
            if (asked.path(flag).asBoolean(false)
                    && held.values().stream().anyMatch(b -> b.capabilities().contains(capability))) {
                honoured.put(flag, true);
            }
        });
        List<String> uris = new ArrayList<>();
        for (JsonNode uri : asked.path("resourceSubscriptions")) {
            String backend = owner(uri.asText(), held, qualified, backends);
            McpSessions.Backend side = backend == null ? null : held.get(backend);
            if (ModernBackend.speaks(side) && side.capabilities().contains(BackendAnswer.SUBSCRIBE)) {
                uris.add(uri.asText());
            }
        }
        if (!uris.isEmpty()) {
            ArrayNode kept = honoured.putArray("resourceSubscriptions");
            uris.forEach(kept::add);
        }
        return new McpListen(message.id(), honoured);
    }

    /**
     * Refuses a filter the schema does not define (-32602): a flag it knows that is not a boolean, resource
     * subscriptions that are not a list of URIs. A flag it does not know (a later extension's) is left out, not refused.
     */
    private static void checkFilter(JsonNode asked, JsonRpc.Message message) {
        for (String flag : CAPABILITY.keySet()) {
            if (asked.has(flag) && !asked.get(flag).isBoolean()) {
                throw McpException.invalidParams("Invalid params: notifications." + flag + " must be a boolean",
                        message.id());
            }
        }
        JsonNode uris = asked.get("resourceSubscriptions");
        if (uris != null && !isListOfText(uris)) {
            throw McpException.invalidParams("Invalid params: notifications.resourceSubscriptions must be a list of "
                    + "resource URIs", message.id());
        }
    }

    private static boolean isListOfText(JsonNode node) {
        if (!node.isArray()) {
            return false;
        }
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                return false;
            }
        }
        return true;
    }

    private static String owner(String uri, Map<String, McpSessions.Backend> held, boolean qualified,
                                McpBackends backends) {
        if (!qualified) {
            return held.keySet().iterator().next();
        }
        McpBackends.Backend owner = backends.owner(uri, McpNames.URI_SEPARATOR);
        return owner == null ? null : owner.name();
    }

    /** The listen a backend of 2026-07-28 gets: its share of the filter, its own resource URIs. */
    ObjectNode forBackend(JsonRpc.Message message, String backend, boolean qualified) {
        ObjectNode listen = message.json().deepCopy();
        ObjectNode filter = honoured.deepCopy();
        if (honoured.has("resourceSubscriptions")) {
            ArrayNode own = filter.putArray("resourceSubscriptions");
            for (JsonNode uri : honoured.get("resourceSubscriptions")) {
                String prefix = backend + McpNames.URI_SEPARATOR;
                if (!qualified) {
                    own.add(uri);
                } else if (uri.asText().startsWith(prefix)) {
                    own.add(McpNames.unqualify(backend, uri.asText()));
                }
            }
        }
        ((ObjectNode) listen.get("params")).set("notifications", filter);
        return listen;
    }

    /** What the client hears first: what of its filter is honoured. */
    String acknowledged() {
        ObjectNode notification = JsonRpc.notification("notifications/subscriptions/acknowledged");
        ObjectNode params = notification.putObject("params");
        params.putObject("_meta").set(SUBSCRIPTION_ID, id);
        params.set("notifications", honoured);
        return "data: " + notification + "\n\n";
    }

    /** What the client hears last, when every backend stream is over: the listen's result. */
    String ended() {
        ObjectNode result = JsonRpc.object();
        result.put("resultType", "complete");
        result.putObject("_meta").set(SUBSCRIPTION_ID, id);
        return "data: " + JsonRpc.result(id, result) + "\n\n";
    }

    /** Whether an update of {@code uri} (qualified as the client knows it) is one of a resource, or part of one, listened to. */
    private boolean subscribed(String uri) {
        for (JsonNode listened : honoured.path("resourceSubscriptions")) {
            if (uri.startsWith(listened.asText())) {
                return true;
            }
        }
        return false;
    }

    /**
     * A message of a backend's stream as the listening client gets it: a notification it asked for, with the listen's
     * id; null for anything else (the backend's own acknowledgement and end, progress, logs, requests).
     */
    ObjectNode heard(ObjectNode message) {
        String method = message.path("method").asText(null);
        if (method == null || message.has("id")) {
            return null;
        }
        boolean wanted = method.equals(UPDATED) ? subscribed(message.path("params").path("uri").asText())
                : LIST_CHANGES.entrySet().stream().anyMatch(e -> e.getValue().equals(method)
                                                                 && honoured.path(e.getKey()).asBoolean(false));
        if (!wanted) {
            return null;
        }
        ObjectNode params = message.get("params") instanceof ObjectNode p ? p : message.putObject("params");
        ObjectNode meta = params.get("_meta") instanceof ObjectNode m ? m : params.putObject("_meta");
        meta.set(SUBSCRIPTION_ID, id);
        return message;
    }
}
