package dev.caravan.mcp;

import org.apache.camel.Exchange;

import dev.caravan.auth.AuthExchange;
import dev.caravan.proxy.UpstreamException;
import dev.caravan.proxy.UpstreamRequest;

/**
 * Names of the exchange properties the MCP routes share. They have no dots so that route files can read them with
 * Simple, e.g. {@code ${exchangeProperty.mcpMethod}}.
 */
public final class McpExchange {

    /** the parsed client message, a {@link JsonRpc.Message} */
    public static final String MESSAGE = "mcpMessage";
    /** its method; for a response empty; for GET and DELETE the HTTP method */
    public static final String METHOD = "mcpMethod";
    /** request, notification or response ({@link JsonRpc.Kind}, lower case) */
    public static final String KIND = "mcpKind";
    /** the opened gateway session, a {@link McpSessions.Session} */
    public static final String SESSION = "mcpSession";
    /** the gateway session id as the client sent it (or as initialize created it) */
    public static final String SESSION_ID = "mcpSessionId";
    /** the backend a call is routed to */
    public static final String BACKEND = "mcpBackend";
    /** the backends a fan-out went to, with their answers: a list of {@link BackendAnswer} */
    static final String FAN_OUT = "mcpFanOut";
    /** the endpoint of that backend's route */
    public static final String BACKEND_ENDPOINT = "mcpBackendEndpoint";
    /** the merged GET stream of the exchange, a {@link MergedStream} */
    public static final String STREAM = "mcpStream";
    /** the endpoints of the backends whose GET streams the merged stream takes in */
    public static final String STREAM_RECIPIENTS = "mcpStreamRecipients";
    /** the per-backend cursors of a paged list request, from the gateway cursor the client sent */
    public static final String CURSORS = "mcpCursors";
    /** the tool, prompt or resource a call concerns, as the client named it */
    public static final String TARGET = "mcpTarget";
    /** who is calling, for binding sessions to their owner; set by the auth policy, empty when anonymous */
    public static final String SUBJECT = AuthExchange.SUBJECT;

    /** the call to the backend as sent, a {@link UpstreamRequest}: its outcome (relayed, broken off) */
    public static final String CALL = "mcpUpstreamCall";
    /** when the client's request must be answered (epoch millis); a backend call ends by then */
    public static final String DEADLINE = "mcpDeadline";
    /** how the backend's answer may reach the client as it arrives, a {@link dev.caravan.proxy.ResponseRelay} */
    public static final String RELAY = "mcpRelay";
    /** true for a backend's GET stream: open as long as both ends are */
    public static final String LONG_LIVED = "mcpLongLived";
    /** the trace span of the backend call: its name and attributes */
    public static final String SPAN_NAME = "mcpSpanName";
    public static final String SPAN_ATTRIBUTES = "mcpSpanAttributes";

    private McpExchange() {
    }

    /** Whether the backend's answer went to the client as it arrived (the response is then complete). */
    static boolean relayed(Exchange exchange) {
        return exchange.getProperty(CALL) instanceof UpstreamRequest call && call.relayed();
    }

    /** The upstream's status of an answer relayed to the client, or null. */
    static Integer relayedStatus(Exchange exchange) {
        return exchange.getProperty(CALL) instanceof UpstreamRequest call && call.relayed() ? call.relayedStatus()
                : null;
    }

    /** Why a relayed answer broke off after its head went out, or null. */
    static UpstreamException relayError(Exchange exchange) {
        return exchange.getProperty(CALL) instanceof UpstreamRequest call ? call.relayError() : null;
    }
}
