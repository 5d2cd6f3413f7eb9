package dev.caravan.mcp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The JSON-RPC methods the gateway knows, one row each: how it is dispatched (routes/mcp.camel.yaml routes on
 * {@link Dispatch}), the server capability it belongs to, and for routed and listed methods where the name of the
 * tool, prompt or resource is and how backend names qualify it. Every MCP step reads this table, so a new method is one
 * row here. A request for a method not in it is answered "method not found" by the gateway itself.
 */
public enum McpMethod {

    INITIALIZE("initialize", Dispatch.INITIALIZE, null, null, null, null),
    PING("ping", Dispatch.LOCAL, null, null, null, null),
    /** the sessionless generation's (2026-07-28) first question: what the gateway is and can do */
    SERVER_DISCOVER("server/discover", Dispatch.LOCAL, null, null, null, null),
    TOOLS_LIST("tools/list", Dispatch.FAN_OUT, "tools", null, Item.TOOL, "tools"),
    PROMPTS_LIST("prompts/list", Dispatch.FAN_OUT, "prompts", null, Item.PROMPT, "prompts"),
    RESOURCES_LIST("resources/list", Dispatch.FAN_OUT, "resources", null, Item.RESOURCE, "resources"),
    RESOURCE_TEMPLATES_LIST("resources/templates/list", Dispatch.FAN_OUT, "resources", null, Item.RESOURCE_TEMPLATE,
            "resourceTemplates"),
    TOOLS_CALL("tools/call", Dispatch.ROUTED, "tools", null, Item.TOOL, null),
    PROMPTS_GET("prompts/get", Dispatch.ROUTED, "prompts", null, Item.PROMPT, null),
    RESOURCES_READ("resources/read", Dispatch.ROUTED, "resources", null, Item.RESOURCE, null),
    RESOURCES_SUBSCRIBE("resources/subscribe", Dispatch.ROUTED, "resources", "subscribe", Item.RESOURCE, null),
    RESOURCES_UNSUBSCRIBE("resources/unsubscribe", Dispatch.ROUTED, "resources", "subscribe", Item.RESOURCE, null),
    /** its item is {@code params.ref}: a prompt ({@code ref/prompt}) or a resource template ({@code ref/resource}) */
    COMPLETION_COMPLETE("completion/complete", Dispatch.ROUTED, "completions", null, null, null),
    LOGGING_SET_LEVEL("logging/setLevel", Dispatch.BROADCAST, "logging", null, null, null),
    /** the sessionless generation's (2026-07-28) stream of list changes and resource updates ({@link McpListen}) */
    SUBSCRIPTIONS_LISTEN("subscriptions/listen", Dispatch.STREAM, null, null, null, null);

    /** Which route of routes/mcp.camel.yaml handles a message. */
    public enum Dispatch {
        /** every backend is initialized; the answers merge into the gateway session */
        INITIALIZE,
        /** to every backend of the session with the capability; the answers merge into one list */
        FAN_OUT,
        /** to the one backend whose name qualifies the tool, prompt or resource */
        ROUTED,
        /** to every backend of the session with the capability; the client needs none of their answers */
        BROADCAST,
        /** GET, or a 2026-07-28 client's subscriptions/listen: the merged server-to-client stream */
        STREAM,
        /** the client's answer to a backend's request, back to that backend */
        ANSWER,
        /** answered by the gateway itself */
        LOCAL
    }

    /**
     * What a method concerns, as access rules and name qualification see it: the rule kind ({@code mcp.tool},
     * {@code mcp.prompt}, {@code mcp.resource}), the field that names it in params and in list items, and the separator
     * that qualifies that name with a backend's.
     */
    public enum Item {
        TOOL("tool", "tool", "name", "name", McpNames.NAME_SEPARATOR),
        PROMPT("prompt", "prompt", "name", "name", McpNames.NAME_SEPARATOR),
        RESOURCE("resource", "resource", "uri", "uri", McpNames.URI_SEPARATOR),
        RESOURCE_TEMPLATE("resource template", "resource", "uri", "uriTemplate", McpNames.URI_SEPARATOR);

        private final String noun;
        private final String rulesKind;
        private final String paramsKey;
        private final String listField;
        private final char separator;

        Item(String noun, String rulesKind, String paramsKey, String listField, char separator) {
            this.noun = noun;
            this.rulesKind = rulesKind;
            this.paramsKey = paramsKey;
            this.listField = listField;
            this.separator = separator;
        }

        /** what it is called in error messages */
        public String noun() {
            return noun;
        }

        /** the kind of item for access rules: tool, prompt or resource (templates are resources) */
        public String rulesKind() {
            return rulesKind;
        }

        /** the params field of a routed request that names the item */
        public String paramsKey() {
            return paramsKey;
        }

        /** the field of a listed item that names it */
        public String listField() {
            return listField;
        }

        public char separator() {
            return separator;
        }
    }

    private static final Map<String, McpMethod> BY_WIRE_NAME = byWireName();

    private final String wireName;
    private final Dispatch dispatch;
    private final String capability;
    private final String flag;
    private final Item item;
    private final String listKey;

    McpMethod(String wireName, Dispatch dispatch, String capability, String flag, Item item, String listKey) {
        this.wireName = wireName;
        this.dispatch = dispatch;
        this.capability = capability;
        this.flag = flag;
        this.item = item;
        this.listKey = listKey;
    }

    private static Map<String, McpMethod> byWireName() {
        Map<String, McpMethod> map = new LinkedHashMap<>();
        for (McpMethod m : values()) {
            map.put(m.wireName, m);
        }
        return Map.copyOf(map);
    }

    /** The row of a JSON-RPC method name, or null for a method the gateway does not know. */
    public static McpMethod of(String wireName) {
        return wireName == null ? null : BY_WIRE_NAME.get(wireName);
    }

    public String wireName() {
        return wireName;
    }

    public Dispatch dispatch() {
        return dispatch;
    }

    /** the server capability the method belongs to ({@code tools}, {@code resources}...), null for none */
    public String capability() {
        return capability;
    }

    /** what the method concerns, null when it concerns no one item (or, for completion/complete, depends on params) */
    public Item item() {
        return item;
    }

    /** the key of the items in a list method's result ({@code tools}, {@code resourceTemplates}...), else null */
    public String listKey() {
        return listKey;
    }

    /**
     * What a backend must have declared at initialize to be sent this method, as {@link McpSessions.Backend} holds it
     * ({@code tools}, {@code resources.subscribe}): a fan-out or broadcast goes only to backends that declared its
     * capability; a routed method goes to the backend that owns the name, which must have declared the flag the
     * method needs, if any. Null when any backend of the session takes it.
     */
    public String needs() {
        if (flag != null) {
            return capability + "." + flag;
        }
        return dispatch == Dispatch.FAN_OUT || dispatch == Dispatch.BROADCAST ? capability : null;
    }

    /**
     * The server capabilities the gateway routes, each with the boolean flags it honours: {@code listChanged} for those
     * with a list method (the backends' list_changed notifications are relayed), and the flags routed methods need
     * ({@code resources.subscribe}). What initialize tells a client is what it can use.
     */
    public static Map<String, List<String>> routedCapabilities() {
        Map<String, Set<String>> flags = new LinkedHashMap<>();
        for (McpMethod m : values()) {
            if (m.capability == null) {
                continue;
            }
            Set<String> of = flags.computeIfAbsent(m.capability, c -> new TreeSet<>());
            if (m.dispatch == Dispatch.FAN_OUT) {
                of.add("listChanged");
            }
            if (m.flag != null) {
                of.add(m.flag);
            }
        }
        Map<String, List<String>> routed = new LinkedHashMap<>();
        flags.forEach((capability, of) -> routed.put(capability, List.copyOf(of)));
        return routed;
    }
}
