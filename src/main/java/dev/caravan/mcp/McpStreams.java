package dev.caravan.mcp;

import java.util.List;
import java.util.Locale;

import io.vertx.core.Vertx;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;

import dev.caravan.core.ClientRequest;
import dev.caravan.proxy.UpstreamCall;
import dev.caravan.telemetry.GatewayMetrics;

/**
 * {@code GET /mcp}: the merged server-to-client stream ({@link MergedStream}) over the backends' own GET streams,
 * answered once they are open and ended once they are all over; 405 when no backend of the session keeps a stream.
 */
public final class McpStreams extends FanOutMerge {

    private final Vertx vertx;
    private final McpBackends backends;
    private final McpSessions sessions;
    private final long openWaitMillis;

    /**
     * @param openWaitMillis how long the client's answer waits for a backend stream that sends no head before its
     *                       first event
     */
    public McpStreams(GatewayMetrics metrics, Vertx vertx, McpBackends backends, McpSessions sessions,
                      long openWaitMillis) {
        super(metrics);
        this.vertx = vertx;
        this.backends = backends;
        this.sessions = sessions;
        this.openWaitMillis = openWaitMillis;
    }

    /**
     * First step of the GET route: 406 unless the client accepts SSE; the merged stream and the backends whose
     * streams it merges ({@link #recipients}) for the fan-out.
     */
    public void open(Exchange exchange) {
        McpCall call = McpCall.of(exchange);
        String accept = ClientRequest.header(exchange, "Accept", "").toLowerCase(Locale.ROOT);
        if (!McpRequestCheck.accepts(accept, "text/event-stream")) {
            throw McpException.transport(406, "Not Acceptable: GET /mcp needs Accept: text/event-stream");
        }
        McpSessions.Session session = call.session();
        JsonRpc.Message message = call.message();
        boolean listening = call.row() == McpMethod.SUBSCRIPTIONS_LISTEN;
        if (listening && call.modern() == null) {
            throw new McpException(200, JsonRpc.METHOD_NOT_FOUND, "Method not found: subscriptions/listen (MCP "
                    + ModernRequest.VERSION + "; this session's client has the GET stream)", message.id());
        }
        if (!listening && session.backends().values().stream().noneMatch(b -> b.sessionId() != null)) {
            // only stateful servers keep a stream per session
            throw notAllowed();
        }
        McpListen listen = listening ? McpListen.of(message, session.backends(), session.qualified(), backends) : null;
        MergedStream stream = new MergedStream(vertx, sessions, UpstreamCall.clientResponse(exchange),
                call.clientSessionId(), session.qualified(), listening ? null
                : ClientRequest.header(exchange, "Last-Event-ID"), listen);
        // a backend of MCP 2026-07-28 has no GET stream, and is heard by a listen of its own
        List<McpBackends.Backend> recipients = backends.targets(exchange).stream().filter(b -> {
            McpSessions.Backend held = session.backends().get(b.name());
            return ModernBackend.speaks(held) ? listening : held.sessionId() != null;
        }).toList();
        call.stream(stream, recipients.stream().map(McpBackends.Backend::endpoint).toList());
        stream.start(recipients.stream().map(McpBackends.Backend::name).toList(), openWaitMillis);
    }

    /** Recipient list of the GET fan-out: the backends {@link #open} picked. */
    public List<Endpoint> recipients(Exchange exchange) {
        return McpCall.of(exchange).streamRecipients();
    }

    private static McpException notAllowed() {
        return McpException.transport(405, "Method Not Allowed: no backend of this session has a server-to-client "
                                           + "stream");
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        Exchange result = super.aggregate(oldExchange, newExchange);
        McpCall sub = McpCall.of(newExchange);
        sub.stream().ended(sub.backend());
        return result;
    }

    @Override
    boolean needsAnAnswer() {
        return false;
    }

    @Override
    boolean worthReporting(BackendAnswer answer) {
        // backends without a standalone stream answer 405, and the client leaving ends every stream: both normal
        return !"http_405".equals(answer.failureKind()) && !"client_gone".equals(answer.failureKind());
    }

    @Override
    void reply(Exchange target, Exchange original, List<BackendAnswer> answers) {
        if (!McpCall.of(original).stream().close()) {
            McpReply.json(target, 405, JsonRpc.error(null, JsonRpc.SERVER_ERROR, notAllowed().getMessage()));
        }
    }
}
