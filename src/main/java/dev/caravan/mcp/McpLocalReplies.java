package dev.caravan.mcp;

import java.util.Collection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;

/** What the gateway answers by itself, without asking a backend. */
public final class McpLocalReplies {

    /**
     * {@code ping} checks the gateway's own liveness, so it is answered here, as are a 2026-07-28 client's
     * {@code server/discover} and notifications; a method {@link McpMethod} does not know is not found (HTTP 404 in the
     * 2026-07-28 generation, which tells it apart from a missing endpoint).
     */
    public void reply(Exchange exchange) {
        McpCall call = McpCall.of(exchange);
        JsonRpc.Message request = call.message();
        boolean modern = call.modern() != null;
        if (modern && request.kind() == JsonRpc.Kind.NOTIFICATION) {
            McpReply.empty(exchange, 202);
        } else if (modern && call.row() == McpMethod.SERVER_DISCOVER) {
            McpReply.json(exchange, 200, JsonRpc.result(request.id(), discover(call.discovered(),
                    call.session().backends().values())));
        } else if (!modern && call.row() == McpMethod.PING) {
            McpReply.json(exchange, 200, JsonRpc.result(request.id(), JsonRpc.object()));
        } else {
            throw new McpException(modern ? 404 : 200, JsonRpc.METHOD_NOT_FOUND, "Method not found: "
                                                                                + request.method(), request.id());
        }
    }

    /**
     * The answer to {@code server/discover}, from the initialize result of the gateway's session for this caller: the
     * merged capabilities (list changes are heard through {@code subscriptions/listen}; resource subscriptions only
     * from backends of that generation, see {@link McpListen}), the versions of both generations, the instructions, and
     * the gateway as the server (not to be cached, since backends come and go: see {@link ModernRequest#complete}).
     */
    static ObjectNode discover(ObjectNode initialized, Collection<McpSessions.Backend> held) {
        ObjectNode result = JsonRpc.object();
        ArrayNode versions = result.putArray("supportedVersions");
        ModernRequest.VERSIONS.forEach(versions::add);
        McpRequestCheck.PROTOCOL_VERSIONS.forEach(versions::add);
        ObjectNode capabilities = initialized.path("capabilities") instanceof ObjectNode c ? c.deepCopy()
                : JsonRpc.object();
        if (capabilities.get("resources") instanceof ObjectNode resources && held.stream().noneMatch(
                b -> ModernBackend.speaks(b) && b.capabilities().contains(BackendAnswer.SUBSCRIBE))) {
            resources.remove("subscribe");
        }
        result.set("capabilities", capabilities);
        if (initialized.hasNonNull("instructions")) {
            result.set("instructions", initialized.get("instructions"));
        }
        result.putObject("_meta").set("io.modelcontextprotocol/serverInfo", initialized.path("serverInfo"));
        return result;
    }
}
