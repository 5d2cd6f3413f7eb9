package dev.caravan.mcp;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;

import dev.caravan.core.RequestContext;
import dev.caravan.proxy.ResponseRelay;
import dev.caravan.proxy.UpstreamException;
import dev.caravan.proxy.UpstreamRequest;

/**
 * One MCP request, typed: attached by the listener's first step with the time it arrived, given the validated request
 * by {@link McpRequestCheck} (the client's message, its method's row in {@link McpMethod} and the route it takes), then
 * filled in by the steps that follow: the gateway session, the backend a call is routed to and what it concerns, the
 * cursors of a paged list, the answers of a fan-out, the merged GET stream, and the error the client got. Route
 * choices ({@link McpDispatch}), rules ({@link #fact}), telemetry and the access log read it.
 * <p>
 * A fan-out sends each backend a copy of the exchange; each copy gets its own context for that backend
 * ({@link #forBackend}), so that what one backend call changes (its backend, a renewed backend session) is its own.
 */
public final class McpCall extends RequestContext {

    private JsonRpc.Message message;
    private String method;
    private McpMethod row;
    private McpMethod.Dispatch dispatch;
    private String sessionId;
    private McpSessions.Session session;
    private String backend;
    private Endpoint backendEndpoint;
    private String target;
    private Map<String, String> cursors;
    private List<BackendAnswer> fanOut;
    private MergedStream stream;
    private List<Endpoint> streamRecipients;
    private long deadline;
    private ResponseRelay relay;
    private boolean longLived;
    private String spanName;
    private Map<String, Object> spanAttributes;
    private UpstreamRequest upstream;
    private Integer errorCode;
    private String errorMessage;
    private boolean toolError;
    private ModernRequest.Envelope modern;
    private McpStreamRelay resumes;
    private boolean answeredElsewhere;
    private ObjectNode discovered;

    private McpCall(long startedNanos, JsonRpc.Message message, String method, McpMethod.Dispatch dispatch) {
        super(startedNanos);
        read(message, method, dispatch);
    }

    /** A request that just arrived: nothing known of it but when (and so it stays when it is refused unread). */
    static McpCall arrived(long startedNanos) {
        return new McpCall(startedNanos, null, "", McpMethod.Dispatch.LOCAL);
    }

    /** A POST read: one JSON-RPC message, dispatched by its kind and, for a request, by its method's row. */
    public McpCall read(JsonRpc.Message read) {
        read(read, read.method() == null ? "" : read.method(), switch (read.kind()) {
            case RESPONSE -> McpMethod.Dispatch.ANSWER;
            case NOTIFICATION -> McpMethod.Dispatch.BROADCAST;
            case REQUEST -> {
                McpMethod known = McpMethod.of(read.method());
                yield known == null ? McpMethod.Dispatch.LOCAL : known.dispatch();
            }
        });
        return this;
    }

    /** GET opens the server-to-client stream, DELETE ends the session: the HTTP method is what they ask for. */
    void readHttpMethod(String httpMethod) {
        read(null, httpMethod, "GET".equals(httpMethod) ? McpMethod.Dispatch.STREAM : McpMethod.Dispatch.BROADCAST);
    }

    private void read(JsonRpc.Message read, String asked, McpMethod.Dispatch route) {
        message = read;
        method = asked;
        row = McpMethod.of(asked);
        dispatch = route;
    }

    /** A request of the gateway's own to one backend (a probe, a re-initialization): no client, no context of one. */
    static McpCall internal(String method, McpSessions.Session session, String backend) {
        McpMethod row = McpMethod.of(method);
        McpCall call = new McpCall(System.nanoTime(), null, method,
                row == null ? McpMethod.Dispatch.BROADCAST : row.dispatch());
        call.session = session;
        call.backend = backend;
        return call;
    }

    /** The context of an exchange's MCP request (from the listener's first step on), or null. */
    public static McpCall of(Exchange exchange) {
        return RequestContext.of(exchange, McpCall.class);
    }

    /** The envelope of a request of the sessionless generation (2026-07-28), or null for the older one. */
    public ModernRequest.Envelope modern() {
        return modern;
    }

    void modern(ModernRequest.Envelope envelope) {
        modern = envelope;
        if (envelope != null && message != null && message.kind() == JsonRpc.Kind.NOTIFICATION) {
            // nothing of the client's goes to backends in this generation but requests; the gateway acknowledges it
            dispatch = McpMethod.Dispatch.LOCAL;
        }
    }

    /** The gateway session's merged initialize result, for a 2026-07-28 {@code server/discover}; else null. */
    ObjectNode discovered() {
        return discovered;
    }

    void discovered(ObjectNode initializeResult) {
        discovered = initializeResult;
    }

    /** The session id the client is told: none for the sessionless generation, whose session the gateway keeps. */
    String clientSessionId() {
        return modern != null ? null : sessionId;
    }

    /** The context of one backend's copy of a fan-out: the same request, for that backend. */
    McpCall forBackend(String backendName) {
        McpCall copy = new McpCall(startedNanos(), message, method, dispatch);
        copy.caller(caller());
        copy.sessionId = sessionId;
        copy.session = session;
        copy.target = target;
        copy.cursors = cursors;
        copy.stream = stream;
        copy.deadline = deadline;
        copy.backend = backendName;
        copy.modern = modern;
        return copy;
    }

    @Override
    public String kind() {
        return "mcp";
    }

    /**
     * {@code mcp.method}; {@code mcp.tool}, {@code mcp.prompt} or {@code mcp.resource} (as the client named it) and
     * {@code mcp.backend} once the call is routed.
     */
    @Override
    public Object fact(String name) {
        return switch (name) {
            case "mcp.method" -> method.isEmpty() ? null : method;
            case "mcp.backend" -> backend;
            case "mcp.tool", "mcp.prompt", "mcp.resource" -> row != null && row.item() != null && target != null
                    && name.equals("mcp." + row.item().rulesKind()) ? target : null;
            default -> null;
        };
    }

    /** the client's message; null for GET and DELETE */
    public JsonRpc.Message message() {
        return message;
    }

    /** Who is calling, to bind sessions to: the verified caller's subject; empty when anonymous. */
    String subject() {
        return caller().subject();
    }

    /** the JSON-RPC method; empty for a response; for GET and DELETE the HTTP method */
    public String method() {
        return method;
    }

    /** the method's row in the table; null for one the gateway does not know, a response, GET and DELETE */
    public McpMethod row() {
        return row;
    }

    public McpMethod.Dispatch dispatch() {
        return dispatch;
    }

    /** request, notification or response; empty for GET and DELETE */
    public String messageKind() {
        return message == null ? "" : message.kind().name().toLowerCase(Locale.ROOT);
    }

    /** the gateway session id as the client sent it (or as initialize created it) */
    public String sessionId() {
        return sessionId;
    }

    /** the opened gateway session; null for initialize */
    public McpSessions.Session session() {
        return session;
    }

    void session(String id, McpSessions.Session opened) {
        sessionId = id;
        session = opened;
    }

    /** The session as the backend calls of this context use it (with a backend session renewed or picked). */
    void session(McpSessions.Session used) {
        session = used;
    }

    /** the backend a call is routed to, or the backend of this copy of a fan-out */
    public String backend() {
        return backend;
    }

    /** Routes the call to a backend: its name, and the endpoint of its route ({@link McpRoutedBackend}). */
    void routeTo(McpBackends.Backend to) {
        backend = to.name();
        backendEndpoint = to.endpoint();
    }

    void backend(String name) {
        backend = name;
    }

    /** the endpoint of the backend's route a call goes to */
    public Endpoint backendEndpoint() {
        return backendEndpoint;
    }

    /** the tool, prompt or resource a call concerns, as the client named it */
    public String target() {
        return target;
    }

    public void target(String named) {
        target = named;
    }

    /** the per-backend cursors of a paged list request, from the gateway cursor the client sent; else null */
    Map<String, String> cursors() {
        return cursors;
    }

    void cursors(Map<String, String> opened) {
        cursors = opened;
    }

    /** the backends a fan-out went to, with their answers, in declaration order; null when there was none */
    List<BackendAnswer> fanOut() {
        return fanOut;
    }

    void fanOut(List<BackendAnswer> answers) {
        fanOut = answers;
    }

    /** the merged GET stream */
    MergedStream stream() {
        return stream;
    }

    /** the endpoints of the backends whose GET streams the merged stream takes in */
    public List<Endpoint> streamRecipients() {
        return streamRecipients;
    }

    void stream(MergedStream merged, List<Endpoint> recipients) {
        stream = merged;
        streamRecipients = recipients;
    }

    /** when the client's request must be answered (epoch millis), a backend call ends by then; 0: no limit */
    long deadline() {
        return deadline;
    }

    void deadline(long epochMillis) {
        deadline = epochMillis;
    }

    /** how the backend's answer may reach the client as it arrives; null: it is captured for the route */
    ResponseRelay relay() {
        return relay;
    }

    void relay(ResponseRelay to) {
        relay = to;
    }

    /** true for a backend's GET stream: open as long as both ends are */
    boolean longLived() {
        return longLived;
    }

    void longLived(boolean open) {
        longLived = open;
    }

    /** the trace span of the backend call, e.g. {@code tools/call kb_search}; null: none set */
    String spanName() {
        return spanName;
    }

    Map<String, Object> spanAttributes() {
        return spanAttributes;
    }

    void span(String name, Map<String, Object> attributes) {
        spanName = name;
        spanAttributes = attributes;
    }

    /** A 2026-07-28 client's repeat of a call whose backend asked it questions: that held call. */
    void resume(McpStreamRelay held) {
        resumes = held;
    }

    McpStreamRelay resumes() {
        return resumes;
    }

    /** The client was answered by a held call this repeat took over ({@link McpStreamRelay#resume}). */
    void answeredElsewhere(boolean answered) {
        answeredElsewhere = answered;
    }

    boolean answeredElsewhere() {
        return answeredElsewhere;
    }

    /** the call to the backend as sent, whose outcome (relayed, broken off) the steps after it read; null before */
    UpstreamRequest upstream() {
        return upstream;
    }

    void upstream(UpstreamRequest sent) {
        upstream = sent;
    }

    /** Whether the backend's answer went to the client as it arrived (the response is then complete). */
    boolean relayed() {
        return upstream != null && upstream.relayed();
    }

    /** The backend's status of an answer relayed to the client, or null. */
    Integer relayedStatus() {
        return relayed() ? upstream.relayedStatus() : null;
    }

    /** Why a relayed answer broke off after its head went out, or null. */
    UpstreamException relayError() {
        return upstream == null ? null : upstream.relayError();
    }

    /** the JSON-RPC error code the gateway answered with; null when it answered none */
    Integer errorCode() {
        return errorCode;
    }

    String errorMessage() {
        return errorMessage;
    }

    void error(int code, String text) {
        errorCode = code;
        errorMessage = text;
    }

    /** whether a tool's result the gateway answered with is an error ({@code isError}) */
    boolean toolError() {
        return toolError;
    }

    void toolError(boolean isError) {
        toolError = isError;
    }
}
