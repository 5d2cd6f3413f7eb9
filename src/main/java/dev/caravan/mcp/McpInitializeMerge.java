package dev.caravan.mcp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;

import dev.caravan.telemetry.GatewayMetrics;

/**
 * Answers {@code initialize} for the virtual server: the union of the backends' capabilities, their instructions, and
 * a new gateway session that holds each backend's session id and protocol version.
 */
public final class McpInitializeMerge extends FanOutMerge {

    /** the server capabilities the gateway routes, with the flags it honours for each */
    private static final Map<String, List<String>> ROUTED = McpMethod.routedCapabilities();

    private final McpSessions sessions;
    private final String version;
    private final boolean qualifyNames;

    /**
     * @param qualifyNames false passes names of a single backend through unqualified (only takes effect when the
     *                     session has exactly one backend)
     */
    public McpInitializeMerge(GatewayMetrics metrics, McpSessions sessions, String version, boolean qualifyNames) {
        super(metrics);
        this.sessions = sessions;
        this.version = version;
        this.qualifyNames = qualifyNames;
    }

    @Override
    void reply(Exchange target, Exchange original, List<BackendAnswer> answers) {
        McpCall call = McpCall.of(original);
        JsonRpc.Message request = call.message();
        ObjectNode capabilities = JsonRpc.object();
        StringBuilder instructions = new StringBuilder();
        Map<String, McpSessions.Backend> held = new LinkedHashMap<>();
        for (BackendAnswer answer : answers) {
            if (!answer.ok()) {
                continue;
            }
            ObjectNode result = answer.result();
            held.put(answer.backend(), answer.held());
            mergeCapabilities(capabilities, result.path("capabilities"));
            String text = result.path("instructions").asText("");
            if (!text.isBlank()) {
                instructions.append("## ").append(answer.backend()).append("\n").append(text.strip()).append("\n\n");
            }
        }
        String requested = request.params() == null ? null : request.params().path("protocolVersion").asText(null);
        String negotiated = McpRequestCheck.PROTOCOL_VERSIONS.contains(requested)
                ? requested : McpRequestCheck.LATEST_PROTOCOL_VERSION;
        String subject = call.subject();
        boolean qualified = qualifyNames || held.size() != 1;
        String sessionId = sessions.seal(new McpSessions.Session(negotiated, held, subject, System.currentTimeMillis(),
                qualified, McpSessions.clientParams(request.params())));
        call.session(sessionId, null);

        ObjectNode result = JsonRpc.object();
        result.put("protocolVersion", negotiated);
        result.set("capabilities", capabilities);
        ObjectNode info = result.putObject("serverInfo");
        info.put("name", "caravan");
        info.put("title", "Caravan MCP gateway");
        info.put("version", version);
        if (!qualified) {
            // a single backend passed through: its own instructions, as it wrote them
            answers.stream().filter(BackendAnswer::ok).map(a -> a.result().path("instructions"))
                    .filter(JsonNode::isTextual).findFirst().ifPresent(i -> result.set("instructions", i));
        } else if (!instructions.isEmpty()) {
            result.put("instructions", instructions.toString().strip());
        }
        McpReply.json(target, 200, JsonRpc.result(request.id(), result));
    }

    /**
     * Union of the capabilities the gateway routes, with their flags true if any backend has them: what a client is
     * told is what it can use. Anything else a backend declares (tasks, experimental features) stays out, since the
     * gateway has no route for the methods it would bring; a subscription to a resource of a backend without
     * {@code resources.subscribe} is refused by {@link McpCallRouter}.
     */
    static void mergeCapabilities(ObjectNode into, JsonNode from) {
        ROUTED.forEach((capability, flags) -> {
            JsonNode declared = from.get(capability);
            if (declared == null || !declared.isObject()) {
                return;
            }
            ObjectNode merged = into.has(capability) ? (ObjectNode) into.get(capability) : into.putObject(capability);
            for (String flag : flags) {
                if (declared.path(flag).isBoolean()) {
                    merged.put(flag, merged.path(flag).asBoolean(false) || declared.get(flag).asBoolean());
                }
            }
        });
    }
}
