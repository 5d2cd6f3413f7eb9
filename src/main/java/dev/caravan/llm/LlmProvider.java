package dev.caravan.llm;

import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import org.apache.camel.util.TimeUtils;

import dev.caravan.proxy.Upstream;
import dev.caravan.telemetry.GatewayMetrics;

/**
 * One LLM provider, the call step of its route: built by kamelets/llm-provider.kamelet.yaml from its parameters once
 * per route, so a reload that replaces the route yields a provider with fresh settings and a fresh circuit breaker.
 * It owns what calling it takes: its {@link Upstream} (URL, timeouts, headers), the Vertex AI project and region, the
 * model it forces, its credential, its retries, its fallback and its {@link CircuitBreaker}. Each request gets a
 * {@link ProviderAttempt}: the first call and its retries, then the fallback.
 */
public final class LlmProvider extends AsyncProcessorSupport {

    /** set when this provider gave up and its fallback should answer: the fallback's route */
    public static final String FAILOVER = "llmFailover";

    private LlmProviders providers;
    private String name;
    private String api;
    private String url;
    private String project;
    private String region;
    private String auth = "none";
    private String serviceAccountFile;
    private String headers;
    private String model;
    private String fallback;
    private int retries = 2;
    private String callTimeout = "300s";
    private String firstByteTimeout;
    private String idleTimeout;
    private int breakerFailures = 5;
    private String breakerOpenFor = "30s";

    private Upstream upstream;
    private CircuitBreaker breaker;
    private ProviderCredential credential;

    /** Builds what the settings describe, once they are all set (the kamelet's init method). */
    public void init() {
        upstream = new Upstream(name, url.strip().replaceAll("/+$", ""), callTimeout, idleTimeout, firstByteTimeout,
                headers);
        breaker = new CircuitBreaker(breakerFailures, TimeUtils.toMilliSeconds(breakerOpenFor));
        credential = ProviderCredential.of(auth, serviceAccountFile, providers.google());
        providers.register(this);
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        LlmRequest request = LlmRequest.of(exchange);
        exchange.removeProperty(FAILOVER);
        request.provider(this);
        request.tried().add(name);
        if (!request.api().family().equals(api)) {
            exchange.setException(new LlmException(500, "Provider " + name + " serves the " + api
                                                         + " API, not this request's (" + request.api().family() + ")"));
            callback.done(true);
            return true;
        }
        ProviderAttempt attempt = new ProviderAttempt(this, exchange, callback, request);
        if (!attempt.admitted()) {
            GatewayMetrics.of(exchange.getContext()).providerFailure(name, "circuit_open");
            attempt.giveUp(503, name + " is unavailable: it failed repeatedly and is skipped for now");
            return false; // giveUp called back as an asynchronous step does
        }
        attempt.send();
        return false;
    }

    LlmProviders providers() {
        return providers;
    }

    public String name() {
        return name;
    }

    /** The API family it serves: vertex, anthropic or openai. */
    String api() {
        return api;
    }

    Upstream upstream() {
        return upstream;
    }

    String project() {
        return project;
    }

    String region() {
        return region;
    }

    /** The model it always uses, or null for the request's. */
    String model() {
        return model == null || model.isBlank() ? null : model;
    }

    /** The provider that answers when this one cannot, or null. */
    String fallback() {
        return fallback == null || fallback.isBlank() ? null : fallback.strip();
    }

    int retries() {
        return retries;
    }

    /** Whether the first byte timeout was set (else a stream gets a shorter one than a whole answer). */
    boolean firstByteTimeoutSet() {
        return firstByteTimeout != null && !firstByteTimeout.isBlank();
    }

    CircuitBreaker breaker() {
        return breaker;
    }

    ProviderCredential credential() {
        return credential;
    }

    // the kamelet's parameters

    public void setProviders(LlmProviders providers) {
        this.providers = providers;
    }

    public void setName(String name) {
        this.name = name;
    }

    public void setApi(String api) {
        this.api = api;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public void setProject(String project) {
        this.project = project;
    }

    public void setRegion(String region) {
        this.region = region;
    }

    public void setAuth(String auth) {
        this.auth = auth;
    }

    public void setServiceAccountFile(String serviceAccountFile) {
        this.serviceAccountFile = serviceAccountFile;
    }

    public void setHeaders(String headers) {
        this.headers = headers;
    }

    public void setModel(String model) {
        this.model = model;
    }

    public void setFallback(String fallback) {
        this.fallback = fallback;
    }

    public void setRetries(int retries) {
        this.retries = retries;
    }

    public void setCallTimeout(String callTimeout) {
        this.callTimeout = callTimeout;
    }

    public void setFirstByteTimeout(String firstByteTimeout) {
        this.firstByteTimeout = firstByteTimeout;
    }

    public void setIdleTimeout(String idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    public void setBreakerFailures(int breakerFailures) {
        this.breakerFailures = breakerFailures;
    }

    public void setBreakerOpenFor(String breakerOpenFor) {
        this.breakerOpenFor = breakerOpenFor;
    }
}
