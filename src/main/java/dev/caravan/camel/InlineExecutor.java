package dev.caravan.camel;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs submitted tasks on the calling thread. The fan-outs use it as their recipient-list executor: sending to a
 * backend only starts an asynchronous upstream call, so handing each send to a thread pool (Camel's default for
 * parallel processing) bought no parallelism, only two thread hand-offs per backend that showed as several
 * milliseconds of p99 in the fan-out benchmark. The calls still run in parallel on the wire.
 */
public final class InlineExecutor extends AbstractExecutorService {

    @Override
    public void execute(Runnable command) {
        command.run();
    }

    @Override
    public void shutdown() {
        // nothing to stop: no threads of its own
    }

    @Override
    public List<Runnable> shutdownNow() {
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
    }
}
