package dev.caravan.proxy;

import java.util.Map;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

/**
 * One call to an {@link Upstream}: what to send (method, path, headers, body), its limits (deadline, long-lived), how
 * the answer reaches the client (relay) and its trace span. {@link UpstreamCall} fills in the outcome: the status of an
 * answer relayed to the client, and the error that broke a relayed answer off. The caller builds one per call and
 * reads the outcome from it; a retry builds a new one.
 */
public final class UpstreamRequest {

    private final Upstream upstream;
    private String method = "POST";
    private String path = "";
    private Object body;
    private final MultiMap headers = HttpHeaders.headers();
    private Map<String, String> callHeaders = Map.of();
    private long deadline;
    private long firstByteMillis;
    private boolean longLived;
    private ResponseRelay relay;
    private String spanName;
    private Map<String, Object> spanAttributes = Map.of();
    private int relayedStatus;
    private UpstreamException relayError;

    public UpstreamRequest(Upstream upstream) {
        this.upstream = upstream;
    }

    public Upstream upstream() {
        return upstream;
    }

    public String method() {
        return method;
    }

    public UpstreamRequest method(String method) {
        this.method = method == null ? "POST" : method;
        return this;
    }

    /** What follows the upstream's URL: a path and query, e.g. {@code /v1/messages?beta=true}; empty for none. */
    public String path() {
        return path;
    }

    public UpstreamRequest path(String path) {
        this.path = path == null ? "" : path;
        return this;
    }

    public Object body() {
        return body;
    }

    /** The body: bytes, a Vert.x buffer or a string; null for none. */
    public UpstreamRequest body(Object body) {
        this.body = body;
        return this;
    }

    /**
     * The headers this call forwards (the gateway's protocol headers, the allow-listed headers of the client's real
     * request); a configured header of the same name wins. Nothing else goes upstream.
     */
    public MultiMap headers() {
        return headers;
    }

    Map<String, String> callHeaders() {
        return callHeaders;
    }

    /** Headers for this call only (a credential fetched for it), applied last. */
    public UpstreamRequest callHeaders(Map<String, String> callHeaders) {
        this.callHeaders = callHeaders == null ? Map.of() : callHeaders;
        return this;
    }

    /** An absolute end (epoch millis) when the caller needs the answer sooner than the upstream's timeout; 0: none. */
    public long deadline() {
        return deadline;
    }

    public UpstreamRequest deadline(long deadline) {
        this.deadline = deadline;
        return this;
    }

    /** The longest to wait for the answer's head, for this call; 0: the upstream's. */
    long firstByteMillis() {
        return firstByteMillis;
    }

    public UpstreamRequest firstByteMillis(long firstByteMillis) {
        this.firstByteMillis = firstByteMillis;
        return this;
    }

    /** A stream meant to stay open (an MCP GET stream): no call or idle timeout, it ends with either side. */
    public boolean longLived() {
        return longLived;
    }

    public UpstreamRequest longLived(boolean longLived) {
        this.longLived = longLived;
        return this;
    }

    public ResponseRelay relay() {
        return relay;
    }

    /** How an answer may reach the client as it arrives; null: every answer is captured into the exchange. */
    public UpstreamRequest relay(ResponseRelay relay) {
        this.relay = relay;
        return this;
    }

    String spanName() {
        return spanName == null ? method : spanName;
    }

    Map<String, Object> spanAttributes() {
        return spanAttributes;
    }

    /** The call's trace span, e.g. {@code chat claude-sonnet-4-6} (default: the HTTP method), and its attributes. */
    public UpstreamRequest span(String name, Map<String, Object> attributes) {
        this.spanName = name;
        this.spanAttributes = attributes == null ? Map.of() : attributes;
        return this;
    }

    /** The upstream's status once its answer was relayed to the client (the response is then complete); else 0. */
    public int relayedStatus() {
        return relayedStatus;
    }

    public boolean relayed() {
        return relayedStatus != 0;
    }

    /** Why a relayed answer broke off after its head was sent (the exchange itself is not failed then); or null. */
    public UpstreamException relayError() {
        return relayError;
    }

    void started() {
        relayedStatus = 0;
        relayError = null;
    }

    void relayedStatus(int status) {
        relayedStatus = status;
    }

    void relayError(UpstreamException error) {
        relayError = error;
    }
}
