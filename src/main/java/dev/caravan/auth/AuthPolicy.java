package dev.caravan.auth;

import java.util.concurrent.CompletableFuture;

import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.spi.Policy;
import org.apache.camel.support.AsyncCallbackToCompletableFutureAdapter;
import org.apache.camel.support.AsyncProcessorConverterHelper;
import org.apache.camel.support.AsyncProcessorHelper;
import org.apache.camel.support.AsyncProcessorSupport;

/**
 * An auth check that route files show as a {@code policy} step: the steps inside it run only for a request the check
 * lets through; a refused request leaves with the check's failure (401, 403), which the listener answers in its API's
 * format. The check itself may be asynchronous (a token whose signing key must first be fetched).
 */
public abstract class AuthPolicy extends AsyncProcessorSupport implements Policy {

    @Override
    public void beforeWrap(Route route, NamedNode definition) {
        // nothing to prepare: a policy bean is configured by its setters
    }

    @Override
    public Processor wrap(Route route, Processor steps) {
        return new Guarded(this, AsyncProcessorConverterHelper.convert(steps));
    }

    /**
     * The steps inside the policy, behind its check. Not a Service on purpose: Camel then wraps it in a processor that
     * starts and stops the steps with the route.
     */
    private static final class Guarded implements AsyncProcessor {
        private final AsyncProcessor check;
        private final AsyncProcessor steps;

        Guarded(AsyncProcessor check, AsyncProcessor steps) {
            this.check = check;
            this.steps = steps;
        }

        @Override
        public boolean process(Exchange exchange, AsyncCallback callback) {
            boolean sync = check.process(exchange, doneSync -> {
                if (!doneSync) {
                    continueAfterCheck(exchange, callback);
                }
            });
            if (!sync) {
                return false;
            }
            if (exchange.getException() != null) {
                callback.done(true);
                return true;
            }
            return steps.process(exchange, callback);
        }

        @Override
        public void process(Exchange exchange) throws Exception {
            AsyncProcessorHelper.process(this, exchange);
        }

        @Override
        public CompletableFuture<Exchange> processAsync(Exchange exchange) {
            AsyncCallbackToCompletableFutureAdapter<Exchange> callback = new AsyncCallbackToCompletableFutureAdapter<>(
                    exchange);
            process(exchange, callback);
            return callback.getFuture();
        }

        private void continueAfterCheck(Exchange exchange, AsyncCallback callback) {
            if (exchange.getException() != null) {
                callback.done(false);
            } else {
                steps.process(exchange, doneSync -> callback.done(false));
            }
        }
    }
}
