package dev.caravan.mcp;

import java.util.List;
import java.util.Locale;

import io.vertx.core.Vertx;
import org.apache.camel.Exchange;

import dev.caravan.proxy.ClientRequest;
import dev.caravan.proxy.UpstreamCall;
import dev.caravan.telemetry.GatewayMetrics;

/**
 * {@code GET /mcp}: opens the merged server-to-client stream before the fan-out to the backends' GET streams, and
 * ends it once they are all over ({@link MergedStream}); 405 when no backend of the session keeps a stream.
 */
public final class McpStreams extends FanOutMerge {

    private final Vertx vertx;

    public McpStreams(GatewayMetrics metrics, Vertx vertx) {
        super(metrics);
        this.vertx = vertx;
    }

    /** First step of the GET route: 406 unless the client accepts SSE; the merged stream for the fan-out. */
    public void open(Exchange exchange) {
        String accept = ClientRequest.header(exchange, "Accept", "").toLowerCase(Locale.ROOT);
        if (!McpRequestCheck.accepts(accept, "text/event-stream")) {
            throw McpException.transport(406, "Not Acceptable: GET /mcp needs Accept: text/event-stream");
        }
        McpSessions.Session session = exchange.getProperty(McpExchange.SESSION, McpSessions.Session.class);
        if (session.backends().values().stream().noneMatch(b -> b.sessionId() != null)) {
            // only stateful servers keep a stream per session
            throw McpException.transport(405, "Method Not Allowed: no backend of this session has a server-to-client "
                                              + "stream");
        }
        MergedStream stream = new MergedStream(vertx, UpstreamCall.clientResponse(exchange),
                exchange.getProperty(McpExchange.SESSION_ID, String.class), session.qualified(),
                ClientRequest.header(exchange, "Last-Event-ID"));
        exchange.setProperty(McpExchange.STREAM, stream);
        stream.start();
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
        original.getProperty(McpExchange.STREAM, MergedStream.class).close();
    }
}
