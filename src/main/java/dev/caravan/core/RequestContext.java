package dev.caravan.core;

import org.apache.camel.Exchange;

/**
 * What the gateway knows about one client request, typed, in one place: attached by the listener's first step with
 * the time the request arrived, given the validated request by the listener's request check, then filled in by the
 * policies (the caller), the router (the backend or provider) and the upstream call (the outcome). A request refused
 * before its check finished keeps what was learnt until then, so it is still recorded. Policies, routing, telemetry
 * and the access log read it; exchange properties are not the data model. Each kind of traffic has its own subclass
 * (LLM, MCP) that answers its own facts.
 */
public abstract class RequestContext {

    /** the one exchange property the gateway keeps a request's context in */
    public static final String PROPERTY = "caravanRequest";

    private final long startedNanos;
    private Caller caller = Caller.ANONYMOUS;

    protected RequestContext(long startedNanos) {
        this.startedNanos = startedNanos;
    }

    /** The context of the request an exchange carries, or null when it carries none (not a client's request). */
    public static RequestContext of(Exchange exchange) {
        return exchange.getProperty(PROPERTY, RequestContext.class);
    }

    /** The context of the request an exchange carries, if it is of that kind; else null. */
    public static <T extends RequestContext> T of(Exchange exchange, Class<T> type) {
        Object context = exchange.getProperty(PROPERTY);
        return type.isInstance(context) ? type.cast(context) : null;
    }

    /** The verified caller of the exchange's request; anonymous before the auth policy ran, or without a context. */
    public static Caller caller(Exchange exchange) {
        RequestContext context = of(exchange);
        return context == null ? Caller.ANONYMOUS : context.caller;
    }

    /** Makes this the context of the exchange's request. */
    public void attach(Exchange exchange) {
        exchange.setProperty(PROPERTY, this);
    }

    /** System.nanoTime() when the request arrived. */
    public long startedNanos() {
        return startedNanos;
    }

    public Caller caller() {
        return caller;
    }

    /** Set by the auth policy once the caller's token is verified. */
    public void caller(Caller verified) {
        caller = verified;
    }

    /** The kind of traffic: {@code llm} or {@code mcp} (the access log's {@code kind}). */
    public abstract String kind();

    /**
     * A fact about the request for rules, by its name in the rule language ({@code llm.model}, {@code mcp.method},
     * ...): null when this request has no such fact, or does not know it yet.
     */
    public abstract Object fact(String name);
}
