package dev.caravan.llm;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A half-open circuit always gets another trial: after a verdict, after an abandoned trial, or past a trial's end. */
class CircuitBreakerTest {

    private static final long LATER = Long.MAX_VALUE;

    @Test
    void oneTrialAtATimeAndItsVerdictSettlesTheCircuit() {
        CircuitBreaker breaker = new CircuitBreaker(2, 0);
        assertEquals(CircuitBreaker.Pass.CALL, breaker.admit(LATER));
        breaker.failure();
        assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
        breaker.failure();
        assertEquals(CircuitBreaker.State.OPEN, breaker.state());
        assertEquals(CircuitBreaker.Pass.TRIAL, breaker.admit(LATER));
        assertEquals(CircuitBreaker.Pass.REFUSED, breaker.admit(LATER), "one trial at a time");
        breaker.failure();
        assertEquals(CircuitBreaker.State.OPEN, breaker.state(), "a failed trial opens it again");
        assertEquals(CircuitBreaker.Pass.TRIAL, breaker.admit(LATER));
        breaker.success();
        assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
        assertEquals(CircuitBreaker.Pass.CALL, breaker.admit(LATER));
    }

    /** A circuit that opened at its first failure and let a trial through at once. */
    private static CircuitBreaker trialRunning(long deadline) {
        CircuitBreaker breaker = new CircuitBreaker(1, 0);
        breaker.failure();
        assertEquals(CircuitBreaker.Pass.TRIAL, breaker.admit(deadline));
        return breaker;
    }

    @Test
    void anAbandonedTrialLetsTheNextRequestTry() {
        CircuitBreaker breaker = trialRunning(LATER);
        breaker.trialAbandoned();
        assertEquals(CircuitBreaker.State.HALF_OPEN, breaker.state());
        assertEquals(CircuitBreaker.Pass.TRIAL, breaker.admit(LATER));
    }

    @Test
    void aTrialHoldsItsSlotNoLongerThanItsRequestMayTake() {
        long deadline = System.currentTimeMillis() + 5;
        CircuitBreaker breaker = trialRunning(deadline);
        assertEquals(CircuitBreaker.Pass.REFUSED, breaker.admit(LATER));
        while (System.currentTimeMillis() < deadline) {
            Thread.onSpinWait(); // the clock, not another thread, is what the breaker waits for
        }
        assertEquals(CircuitBreaker.Pass.TRIAL, breaker.admit(LATER), "the lost trial's slot is free again");
    }

    @Test
    void anOpenCircuitWaitsItsTime() {
        CircuitBreaker breaker = new CircuitBreaker(1, 60_000);
        breaker.failure();
        assertEquals(CircuitBreaker.Pass.REFUSED, breaker.admit(LATER));
        assertEquals(CircuitBreaker.State.OPEN, breaker.state());
    }
}
