package dev.caravan.mcp;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import dev.caravan.telemetry.Traces;

/**
 * Routes a request that concerns one tool, prompt or resource to the backend whose name qualifies it, and strips the
 * qualification: {@code tools/call}, {@code prompts/get}, {@code resources/read}, {@code resources/subscribe},
 * {@code resources/unsubscribe} and {@code completion/complete}: the methods {@link McpMethod} routes. Sets the backend
 * of the request's context ({@link McpCall#backendEndpoint} for the route to send to), and a relay so that a streamed
 * answer reaches the client event by event.
 */
public final class McpCallRouter implements Processor {

    private final McpBackends backends;
    private final McpSessions sessions;
    private final ToolParamHeaders toolHeaders;
    private final LiveQuestions live;
    private final Traces traces;

    public McpCallRouter(McpBackends backends, McpSessions sessions, ToolParamHeaders toolHeaders, LiveQuestions live,
                         Traces traces) {
        this.backends = backends;
        this.sessions = sessions;
        this.toolHeaders = toolHeaders;
        this.live = live;
        this.traces = traces;
    }

    @Override
    public void process(Exchange exchange) {
        McpCall call = McpCall.of(exchange);
        JsonRpc.Message message = call.message();
        McpMethod method = call.row();
        ObjectNode params = message.params();
        if (params == null) {
            throw McpException.invalidParams("Invalid params: " + message.method() + " needs params", message.id());
        }
        McpSessions.Session session = call.session();
        // completion/complete names its prompt or resource template in params.ref
        ObjectNode named = method == McpMethod.COMPLETION_COMPLETE && params.get("ref") instanceof ObjectNode ref
                ? ref : params;
        McpMethod.Item item = method == McpMethod.COMPLETION_COMPLETE ? completed(params) : method.item();
        if (item == null) {
            throw McpException.invalidParams("Invalid params: completion/complete needs a ref/prompt or ref/resource",
                    message.id());
        }
        JsonNode target = named.get(item.paramsKey());
        call.target(target == null ? null : target.asText());
        McpBackends.Backend backend = session.qualified() ? unqualify(named, item, message)
                : onlyBackend(session, message);
        McpSessions.Backend held = session.backends().get(backend.name());
        if (held == null) {
            throw McpException.invalidParams("Backend " + backend.name() + " is not part of this session (it was "
                                             + "unavailable or not declared at initialize); start a new session to "
                                             + "use it", message.id());
        }
        String needs = method.needs();
        if (needs != null && !held.capabilities().contains(needs)) {
            // the merged capabilities say some backend has it (subscriptions to resources); this one does not
            throw McpException.invalidParams("Invalid params: backend " + backend.name() + " does not take "
                                             + message.method() + " (it did not declare " + needs + ")", message.id());
        }
        if (session.qualified()) {
            ModernBackend.unqualifyResponses(backend.name(), params, message);
        }
        String heldKey = call.modern() != null && params.path("requestState").isTextual()
                ? live.key(params.get("requestState").asText(), call.sessionId()) : null;
        if (heldKey != null) {
            // checked before it is taken: a repeat that lacks an answer leaves the call held for one that has them
            held(live.peek(heldKey), backend.name(), params, message);
            call.resume(held(live.take(heldKey), backend.name(), params, message));
        }
        List<ToolParamHeaders.Declaration> marked = method == McpMethod.TOOLS_CALL
                ? toolHeaders.of(backend.name(), params.path("name").asText()) : null;
        if (marked != null && call.modern() != null) {
            ToolParamHeaders.check(exchange, marked, params.get("arguments"), message);
        }
        call.routeTo(backend);
        McpBackendRequest.prepare(exchange, backend.name(), message.json(), traces);
        if (method == McpMethod.TOOLS_CALL && ModernBackend.speaks(held)) {
            if (marked != null) {
                ToolParamHeaders.set(exchange.getMessage(), marked, params.get("arguments"));
            } else if (call.modern() != null) {
                // marks not known on this replica: the backend checks the client's headers (McpBackendCall.callTool)
                ToolParamHeaders.forward(exchange, exchange.getMessage());
            }
        }
        McpStreamRelay relay = new McpStreamRelay(backend.name(), message, call.clientSessionId(), session.qualified(),
                new ServerRequestIds(sessions, call, backend.name()), call.modern(), live, call.sessionId());
        if (call.modern() == null && ModernBackend.speaks(held)) {
            relay.bridgeFor(call);
        }
        call.relay(relay);
    }

    /**
     * The held call a 2026-07-28 client's repeat answers ({@link LiveQuestions}), with its answers to every question of
     * the round; -32602 when it is no longer held, belongs to another backend, or a question is unanswered.
     */
    private static McpStreamRelay held(McpStreamRelay held, String backend, ObjectNode params,
                                       JsonRpc.Message message) {
        if (held == null || !held.backend().equals(backend)) {
            throw McpException.invalidParams("Invalid params: the server's questions are no longer waiting for "
                    + "answers (answered already, too late, or asked by another replica): call again without "
                    + "requestState", message.id());
        }
        for (String key : held.asking().keySet()) {
            if (!(params.path("inputResponses").get(key) instanceof ObjectNode)) {
                throw McpException.invalidParams("Invalid params: inputResponses has no answer to " + key,
                        message.id());
            }
        }
        return held;
    }

    /** What completion/complete completes an argument of: a prompt, a resource template, or null for neither. */
    static McpMethod.Item completed(JsonNode params) {
        return switch (params.path("ref").path("type").asText()) {
            case "ref/prompt" -> McpMethod.Item.PROMPT;
            case "ref/resource" -> McpMethod.Item.RESOURCE_TEMPLATE;
            default -> null;
        };
    }

    /** The backend of a session whose names are not qualified, which has exactly one. */
    private McpBackends.Backend onlyBackend(McpSessions.Session session, JsonRpc.Message message) {
        String name = session.backends().keySet().iterator().next();
        McpBackends.Backend backend = backends.byName(name);
        if (backend == null) {
            throw new McpException(200, JsonRpc.INTERNAL_ERROR, "Backend " + name + " is no longer configured",
                    message.id());
        }
        return backend;
    }

    /** Finds the backend that qualifies {@code field} of {@code node} and replaces it by the backend's own value. */
    private McpBackends.Backend unqualify(ObjectNode node, McpMethod.Item item, JsonRpc.Message message) {
        String field = item.paramsKey();
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw McpException.invalidParams("Invalid params: " + field + " is required", message.id());
        }
        McpBackends.Backend backend = backends.owner(value.asText(), item.separator());
        if (backend == null) {
            throw McpException.invalidParams("Unknown " + item.noun() + ": " + value.asText(), message.id());
        }
        node.put(field, McpNames.unqualify(backend.name(), value.asText()));
        return backend;
    }
}
