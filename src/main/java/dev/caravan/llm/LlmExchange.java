package dev.caravan.llm;

/** Exchange properties the LLM route steps share (no dots, so Simple reads them: {@code ${exchangeProperty.llmOrg}}). */
public final class LlmExchange {

    /** the {@link LlmApi} of the request, set first so any later refusal speaks the API's error format */
    public static final String API = "llmApiKind";
    /** the {@link LlmRelay} of the call that answered, with its usage and timings */
    public static final String RELAY = "llmRelay";
    /** the model the last provider was asked for (its own model, a fallback's, or the request's) */
    public static final String MODEL_SENT = "llmModelSent";
    /** the provider route that answered (after any failover) */
    public static final String PROVIDER = "llmProvider";
    /** System.nanoTime() when the request arrived */
    public static final String STARTED = "llmStarted";

    private LlmExchange() {
    }
}
