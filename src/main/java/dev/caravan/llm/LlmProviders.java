package dev.caravan.llm;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.vertx.core.Vertx;

import dev.caravan.proxy.UpstreamCall;
import dev.caravan.telemetry.Traces;

/**
 * What every {@link LlmProvider} shares (the upstream call, Google tokens, the event loops, tracing), and the providers
 * as their routes last built them, by name: a reloaded route replaces its entry.
 */
public final class LlmProviders {

    private final UpstreamCall upstreamCall;
    private final GoogleAccessTokens google;
    private final Vertx vertx;
    private final Traces traces;
    private final Map<String, LlmProvider> byName = new ConcurrentHashMap<>();

    public LlmProviders(UpstreamCall upstreamCall, GoogleAccessTokens google, Vertx vertx, Traces traces) {
        this.upstreamCall = upstreamCall;
        this.google = google;
        this.vertx = vertx;
        this.traces = traces;
    }

    void register(LlmProvider provider) {
        byName.put(provider.name(), provider);
    }

    /** The circuit state of a provider, for tests and health: CLOSED, OPEN or HALF_OPEN (CLOSED when unknown). */
    public String circuit(String provider) {
        LlmProvider p = byName.get(provider);
        return p == null ? CircuitBreaker.State.CLOSED.name() : p.breaker().state().name();
    }

    UpstreamCall upstreamCall() {
        return upstreamCall;
    }

    GoogleAccessTokens google() {
        return google;
    }

    Vertx vertx() {
        return vertx;
    }

    Traces traces() {
        return traces;
    }
}
