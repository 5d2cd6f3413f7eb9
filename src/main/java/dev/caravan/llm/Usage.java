package dev.caravan.llm;

/**
 * Tokens one LLM request used, the same way for every provider format: {@code input} counts every prompt token, cached
 * ones included ({@code cacheRead} read from the provider's prompt cache, {@code cacheWrite} written to it);
 * {@code output} counts generated tokens, reasoning included. {@code complete} is false when the answer broke off
 * (client gone, upstream failure) before the provider's final count arrived.
 */
public record Usage(long input, long cacheRead, long cacheWrite, long output, boolean complete) {

    public static final Usage NONE = new Usage(0, 0, 0, 0, false);

    public boolean any() {
        return input > 0 || output > 0 || cacheRead > 0 || cacheWrite > 0;
    }
}
