package dev.caravan.llm;

/**
 * A provider's circuit breaker: after {@code threshold} failures in a row (connection errors, timeouts, 5xx) the
 * provider is skipped for {@code openMillis}; then one request may try it (half-open), and its outcome closes the
 * circuit or opens it again. A trial that tells nothing (its client left before the provider answered) frees the trial
 * for the next request, and a trial never holds it past its own deadline, so a half-open circuit always gets another
 * trial. Thread-safe; cheap enough to ask on every request.
 */
final class CircuitBreaker {

    enum State {
        CLOSED, OPEN, HALF_OPEN
    }

    /** What a request may do: not call the provider, call it, or call it as the one trial of a half-open circuit. */
    enum Pass {
        REFUSED, CALL, TRIAL
    }

    private final int threshold;
    private final long openMillis;
    private int failures;
    private long openedAt;
    private State state = State.CLOSED;
    /** while half-open: when the running trial is over at the latest (epoch millis), 0 when none runs */
    private long trialEnd;

    CircuitBreaker(int threshold, long openMillis) {
        this.threshold = threshold;
        this.openMillis = openMillis;
    }

    /** Whether this breaker was made with these settings (a hot reload may change them). */
    boolean configuredAs(int threshold, long openMillis) {
        return this.threshold == threshold && this.openMillis == openMillis;
    }

    /**
     * Whether a request may go to the provider now; an open circuit whose time is up, or a half-open one without a
     * running trial, lets this request through as the trial.
     *
     * @param deadline when the request is over at the latest (epoch millis): its trial cannot run longer
     */
    synchronized Pass admit(long deadline) {
        if (state == State.CLOSED) {
            return Pass.CALL;
        }
        long now = System.currentTimeMillis();
        boolean due = state == State.OPEN ? now - openedAt >= openMillis : trialEnd == 0 || now >= trialEnd;
        if (!due) {
            return Pass.REFUSED;
        }
        state = State.HALF_OPEN;
        trialEnd = Math.max(deadline, now + 1);
        return Pass.TRIAL;
    }

    synchronized void success() {
        failures = 0;
        state = State.CLOSED;
        trialEnd = 0;
    }

    synchronized void failure() {
        failures++;
        if (state == State.HALF_OPEN || failures >= threshold) {
            state = State.OPEN;
            openedAt = System.currentTimeMillis();
            trialEnd = 0;
        }
    }

    /** The trial ended without a verdict on the provider (its client left first): the next request tries. */
    synchronized void trialAbandoned() {
        trialEnd = 0;
    }

    synchronized State state() {
        return state;
    }
}
