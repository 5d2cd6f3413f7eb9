package dev.caravan.mcp;

import java.util.List;

import org.apache.camel.Exchange;

import dev.caravan.telemetry.GatewayMetrics;

/**
 * Completes a message every backend gets and whose answers the client does not need: notifications (202 Accepted),
 * requests such as {@code logging/setLevel} (an empty result) and the end of a session (DELETE, 200). Backends that
 * failed are logged and counted by the base class.
 */
public final class McpBroadcast extends FanOutMerge {

    private final McpSessions sessions;

    public McpBroadcast(GatewayMetrics metrics, McpSessions sessions) {
        super(metrics);
        this.sessions = sessions;
    }

    @Override
    boolean needsAnAnswer() {
        return false;
    }

    @Override
    void reply(Exchange target, Exchange original, List<BackendAnswer> answers) {
        McpCall call = McpCall.of(original);
        JsonRpc.Message request = call.message();
        if (request == null) {
            sessions.end(call.sessionId(), call.session());
            McpReply.empty(target, 200);
        } else if (request.kind() == JsonRpc.Kind.REQUEST) {
            McpReply.json(target, 200, JsonRpc.result(request.id(), JsonRpc.object()));
        } else {
            McpReply.empty(target, 202);
        }
    }
}
