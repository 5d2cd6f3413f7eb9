package dev.caravan.llm;

/**
 * A provider's circuit breaker: after {@code threshold} failures in a row (connection errors, timeouts, 5xx) the
 * provider is skipped for {@code openMillis}; then one request may try it (half-open), and its outcome closes the
 * circuit or opens it again. Thread-safe; cheap enough to ask on every request.
 */
final class CircuitBreaker {

    enum State {
        CLOSED, OPEN, HALF_OPEN
    }

    private final int threshold;
    private final long openMillis;
    private int failures;
    private long openedAt;
    private State state = State.CLOSED;

    CircuitBreaker(int threshold, long openMillis) {
        this.threshold = threshold;
        this.openMillis = openMillis;
    }

    /** Whether a request may go to the provider now (moves an open circuit to half-open when its time is up). */
    synchronized boolean allow() {
        if (state == State.OPEN && System.currentTimeMillis() - openedAt >= openMillis) {
            state = State.HALF_OPEN;
            return true;
        }
        return state == State.CLOSED;
    }

    synchronized void success() {
        failures = 0;
        state = State.CLOSED;
    }

    synchronized void failure() {
        failures++;
        if (state == State.HALF_OPEN || failures >= threshold) {
            state = State.OPEN;
            openedAt = System.currentTimeMillis();
        }
    }

    synchronized State state() {
        return state;
    }
}
