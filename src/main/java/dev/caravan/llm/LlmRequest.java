package dev.caravan.llm;

import java.util.LinkedHashSet;
import java.util.Set;

import io.vertx.core.MultiMap;
import org.apache.camel.Exchange;

import dev.caravan.core.RequestContext;
import dev.caravan.proxy.UpstreamRequest;

/**
 * One LLM request as the gateway understood it, its typed {@link RequestContext}, built once by
 * {@link LlmRequestCheck}: the API, the model (as the client asked, and as sent after aliases and overrides), whether
 * the answer streams, the organization, the request body, the client's headers and query a provider may see, for
 * Vertex AI the parts of its path, the provider the router chose and the one that answered, and the last upstream
 * call. Its facts ({@code llm.model}, {@code llm.org}, {@code llm.provider}) are what rules judge.
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

    private final LlmApi api;
    private final String path;
    private final String clientModel;
    private final boolean stream;
    private final String org;
    private final VertexPath vertex;
    private final String query;
    private final boolean clientAskedForUsage;
    private final MultiMap clientHeaders;
    private final long deadline;
    private String model;
    private byte[] body;
    private UpstreamRequest call;
    private LlmProvider provider;

    private String routedTo;
    private String modelSent;
    /** the providers that took the request so far, in order (a fallback never goes back to one of them) */
    private final Set<String> tried = new LinkedHashSet<>();

    LlmRequest(long startedNanos, LlmApi api, String path, String model, boolean stream, String org,
               VertexPath vertex, String query, byte[] body, boolean clientAskedForUsage, MultiMap clientHeaders,
               long deadline) {
        super(startedNanos);
        this.api = api;
        this.path = path;
        this.clientModel = model;
        this.model = model;
        this.stream = stream;
        this.org = org;
        this.vertex = vertex;
        this.query = query;
        this.body = body;
        this.clientAskedForUsage = clientAskedForUsage;
        this.clientHeaders = clientHeaders;
        this.deadline = deadline;
    }

    /** The LLM request an exchange carries, or null before {@link LlmRequestCheck} built it. */
    public static LlmRequest of(Exchange exchange) {
        return RequestContext.of(exchange, LlmRequest.class);
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
            case "llm.provider" -> provider != null ? provider.name() : routedTo;
            default -> null;
        };
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

    public LlmApi api() {
        return api;
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

    public String org() {
        return org;
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
