package dev.caravan.llm;

/** Exchange properties the LLM route steps share (no dots, so Simple reads them: {@code ${exchangeProperty.llmOrg}}). */
public final class LlmExchange {

    /** the {@link LlmApi} of the request, set first so any later refusal speaks the API's error format */
    public static final String API = "llmApiKind";
    /** the provider the router chose (a constant of the route file), then the one that answered (after failover) */
    public static final String PROVIDER = "llmProvider";
    /** System.nanoTime() when the request arrived */
    public static final String STARTED = "llmStarted";

    private LlmExchange() {
    }
}
