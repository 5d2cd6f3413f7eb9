package dev.caravan.llm;

import java.util.LinkedHashSet;
import java.util.Set;

import io.vertx.core.MultiMap;
import org.apache.camel.Exchange;

import dev.caravan.core.RequestContext;
import dev.caravan.proxy.UpstreamRequest;

/**
 * One LLM request as the gateway understood it, its typed {@link RequestContext}: attached by the listener's first
 * step with the time it arrived, then filled in by {@link LlmRequestCheck} from the validated request — the API, the
 * model (as the client asked, and as sent after aliases and overrides), whether the answer streams, the organization,
 * the request body, the client's headers and query a provider may see, for Vertex AI the parts of its path — then by
 * the router (the provider it chose), the provider (the one that answered, the last upstream call) and the error
 * reply. A request refused half-way keeps what was learnt until then (the API its path names, the organization), so
 * it is recorded and answered in its API's format. Its facts ({@code llm.model}, {@code llm.org},
 * {@code llm.provider}) are what rules judge.
 */
public final class LlmRequest extends RequestContext {

    /**
     * The parts of a Vertex AI path: the client's project and region are replaced by the provider's.
     * {@code modelSegment} is the model segment the provider's path keeps whatever the model (Anthropic's
     * {@code count-tokens}, whose model is in the body), null when the segment is the model.
     */
    public record VertexPath(String version, String project, String region, String publisher, String action,
                             String modelSegment) {
    }

    private WireApi api;
    private String org;
    private String path;
    private String clientModel;
    private boolean stream;
    private VertexPath vertex;
    private String query;
    private boolean clientAskedForUsage;
    private MultiMap clientHeaders;
    private long deadline;
    private String model;
    private byte[] body = new byte[0];
    private UpstreamRequest call;
    private LlmProvider provider;

    private String routedTo;
    private String modelSent;
    private String error;
    /** the providers that took the request so far, in order (a fallback never goes back to one of them) */
    private final Set<String> tried = new LinkedHashSet<>();

    /** A request that just arrived: nothing known of it yet but when. */
    LlmRequest(long startedNanos) {
        super(startedNanos);
    }

    /** The LLM request an exchange carries (from the listener's first step on), or null. */
    public static LlmRequest of(Exchange exchange) {
        return RequestContext.of(exchange, LlmRequest.class);
    }

    /** What {@link LlmRequestCheck} validated, once the request passed every check. */
    void validated(String path, String model, boolean stream, VertexPath vertex, String query, byte[] body,
                   boolean clientAskedForUsage, MultiMap clientHeaders, long deadline) {
        this.path = path;
        this.clientModel = model;
        this.model = model;
        this.stream = stream;
        this.vertex = vertex;
        this.query = query;
        this.body = body;
        this.clientAskedForUsage = clientAskedForUsage;
        this.clientHeaders = clientHeaders;
        this.deadline = deadline;
    }

    @Override
    public String kind() {
        return "llm";
    }

    @Override
    public Object fact(String name) {
        return switch (name) {
            case "llm.model" -> model;
            case "llm.org" -> org;
            case "llm.provider" -> providerName();
            default -> null;
        };
    }

    /** The provider that took the request last (after any failover), else the one the router chose, else null. */
    public String providerName() {
        return provider != null ? provider.name() : routedTo;
    }

    /** The relay of the last upstream call, with the answer's usage and timings; null before a call. */
    public LlmRelay relay() {
        return call != null && call.relay() instanceof LlmRelay relay ? relay : null;
    }

    /** The model the last provider was asked for (its own model, a fallback's, or the request's). */
    public String modelSent() {
        return modelSent != null ? modelSent : model;
    }

    void modelSent(String model) {
        this.modelSent = model;
    }

    Set<String> tried() {
        return tried;
    }

    /** The provider the router chose (before any fallback), or null before it chose. */
    public String routedTo() {
        return routedTo;
    }

    void routedTo(String provider) {
        this.routedTo = provider;
    }

    /** Why the request failed, as the access log says it (the client's answer may say less); null when it did not. */
    public String error() {
        return error;
    }

    void error(String why) {
        this.error = why;
    }

    /** When the client must have its answer (epoch millis): retries and fallbacks end by then. */
    public long deadline() {
        return deadline;
    }

    /** The last upstream call made for the request (its outcome: relayed, broken off), or null before the first. */
    public UpstreamRequest call() {
        return call;
    }

    void call(UpstreamRequest call) {
        this.call = call;
    }

    /** The provider that took the request last (after any failover), or null before one did. */
    LlmProvider provider() {
        return provider;
    }

    void provider(LlmProvider provider) {
        this.provider = provider;
    }

    /** The API of the request: the one its path names, from the first check on; null before. */
    public WireApi api() {
        return api;
    }

    void api(WireApi api) {
        this.api = api;
    }

    /** The request path, e.g. {@code /v1/messages}. */
    public String path() {
        return path;
    }

    /** The model the client asked for. */
    public String clientModel() {
        return clientModel;
    }

    /** The model sent upstream (after aliases; a provider may override it). */
    public String model() {
        return model;
    }

    void model(String model) {
        this.model = model;
    }

    public boolean stream() {
        return stream;
    }

    /** The organization the org header names, or null without one. */
    public String org() {
        return org;
    }

    void org(String org) {
        this.org = org;
    }

    public VertexPath vertex() {
        return vertex;
    }

    /** The client's query parameters a provider may see (allow-listed, as sent), without '?', or null. */
    public String query() {
        return query;
    }

    /** The body as received (or as rewritten); empty for GET. */
    public byte[] body() {
        return body;
    }

    void body(byte[] body) {
        this.body = body;
    }

    /** The client's request headers a provider may see (allow-listed, from the real request; no credentials). */
    public MultiMap clientHeaders() {
        return clientHeaders;
    }

    /** For an OpenAI stream: whether the client asked for the usage chunk itself (else the gateway hides it). */
    public boolean clientAskedForUsage() {
        return clientAskedForUsage;
    }
}
