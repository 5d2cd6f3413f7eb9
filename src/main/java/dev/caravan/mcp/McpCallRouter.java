package dev.caravan.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import dev.caravan.telemetry.Traces;

/**
 * Routes a request that concerns one tool, prompt or resource to the backend whose name qualifies it, and strips the
 * qualification: {@code tools/call}, {@code prompts/get}, {@code resources/read}, {@code resources/subscribe},
 * {@code resources/unsubscribe} and {@code completion/complete}. Sets {@link McpExchange#BACKEND_ENDPOINT} for the route
 * to send to, and a relay so that a streamed answer reaches the client event by event.
 */
public final class McpCallRouter implements Processor {

    private final McpBackends backends;
    private final McpSessions sessions;
    private final Traces traces;

    public McpCallRouter(McpBackends backends, McpSessions sessions, Traces traces) {
        this.backends = backends;
        this.sessions = sessions;
        this.traces = traces;
    }

    @Override
    public void process(Exchange exchange) {
        JsonRpc.Message message = exchange.getProperty(McpExchange.MESSAGE, JsonRpc.Message.class);
        ObjectNode params = message.params();
        if (params == null) {
            throw McpException.invalidParams("Invalid params: " + message.method() + " needs params", message.id());
        }
        McpSessions.Session session = exchange.getProperty(McpExchange.SESSION, McpSessions.Session.class);
        exchange.setProperty(McpExchange.TARGET, targetOf(message.method(), params));
        McpBackends.Backend backend = !session.qualified() ? onlyBackend(session, message) : switch (message.method()) {
            case "tools/call" -> unqualify(params, "name", McpNames.NAME_SEPARATOR, "tool", message);
            case "prompts/get" -> unqualify(params, "name", McpNames.NAME_SEPARATOR, "prompt", message);
            case "resources/read", "resources/subscribe", "resources/unsubscribe" ->
                    unqualify(params, "uri", McpNames.URI_SEPARATOR, "resource", message);
            case "completion/complete" -> completionTarget(params, message);
            default -> throw new McpException(200, JsonRpc.METHOD_NOT_FOUND, "Method not found: " + message.method(),
                    message.id());
        };
        McpSessions.Backend held = session.backends().get(backend.name());
        if (held == null) {
            throw McpException.invalidParams("Backend " + backend.name() + " is not part of this session (it was "
                                             + "unavailable or not declared at initialize); start a new session to "
                                             + "use it", message.id());
        }
        if (message.method().endsWith("subscribe") && !held.capabilities().contains(BackendAnswer.SUBSCRIBE)) {
            // the merged capabilities say some backend takes subscriptions; this one does not
            throw McpException.invalidParams("Invalid params: backend " + backend.name() + " does not take "
                                             + "subscriptions to its resources", message.id());
        }
        McpBackendRequest.prepare(exchange, backend.name(), JsonRpc.bytes(message.json()), traces);
        exchange.setProperty(McpExchange.BACKEND_ENDPOINT, backend.endpoint().getEndpointUri());
        exchange.setProperty(McpExchange.RELAY, new McpStreamRelay(backend.name(), message,
                exchange.getProperty(McpExchange.SESSION_ID, String.class), session.qualified(),
                new ServerRequestIds(sessions, exchange, backend.name())));
    }

    /** What a call concerns as the client named it (before the backend's prefix is stripped). */
    private static String targetOf(String method, ObjectNode params) {
        JsonNode target = switch (method) {
            case "tools/call", "prompts/get" -> params.get("name");
            case "resources/read", "resources/subscribe", "resources/unsubscribe" -> params.get("uri");
            case "completion/complete" -> params.path("ref").has("name") ? params.path("ref").get("name")
                    : params.path("ref").get("uri");
            default -> null;
        };
        return target == null ? null : target.asText();
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

    private McpBackends.Backend completionTarget(ObjectNode params, JsonRpc.Message message) {
        JsonNode ref = params.get("ref");
        if (ref instanceof ObjectNode r) {
            switch (r.path("type").asText()) {
                case "ref/prompt" -> {
                    return unqualify(r, "name", McpNames.NAME_SEPARATOR, "prompt", message);
                }
                case "ref/resource" -> {
                    return unqualify(r, "uri", McpNames.URI_SEPARATOR, "resource template", message);
                }
                default -> {
                    // falls through to the error below
                }
            }
        }
        throw McpException.invalidParams("Invalid params: completion/complete needs a ref/prompt or ref/resource",
                message.id());
    }

    /** Finds the backend that qualifies {@code field} of {@code node} and replaces it by the backend's own value. */
    private McpBackends.Backend unqualify(ObjectNode node, String field, char separator, String what,
                                          JsonRpc.Message message) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw McpException.invalidParams("Invalid params: " + field + " is required", message.id());
        }
        McpBackends.Backend backend = backends.owner(value.asText(), separator);
        if (backend == null) {
            throw McpException.invalidParams("Unknown " + what + ": " + value.asText(), message.id());
        }
        node.put(field, McpNames.unqualify(backend.name(), value.asText()));
        return backend;
    }
}
