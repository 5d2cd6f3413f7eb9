package dev.caravan.camel;

import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Runs an action once Camel has stopped: after every route finished its in-flight requests and every listener closed.
 * The gateway closes its Vert.x instance this way (as a service of the context it was stopped before Camel's HTTP
 * servers, which then failed to close on a dead event loop), and writes the access log lines of the last requests.
 * Notifiers run in the order they were added.
 */
public final class AfterContextStop extends EventNotifierSupport {

    /** What runs; it may fail, and Camel logs the failure. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    private final Action action;

    public AfterContextStop(Action action) {
        this.action = action;
        setIgnoreExchangeEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.CamelContextStoppedEvent;
    }

    @Override
    public void notify(CamelEvent event) throws Exception {
        action.run();
    }
}
