package dev.caravan.telemetry;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes access log lines in batches from one thread of its own: a request only queues its line (no lock, no wake-up
 * of the writer), and the writer takes whatever is queued every few milliseconds and hands it to the operating system
 * in one write per 64 KB. A queued line waits at most {@link #PAUSE_MILLIS} ms; lines are never dropped: past
 * {@link #MAX_PENDING} queued bytes (a disk slower than the traffic) a request waits until the writer caught up.
 */
final class AccessLogWriter {

    private static final Logger LOG = LoggerFactory.getLogger(AccessLogWriter.class);
    static final int PAUSE_MILLIS = 20;
    static final long MAX_PENDING = 16L << 20;
    private static final int BATCH = 64 * 1024;

    private final OutputStream out;
    private final ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong pending = new AtomicLong();
    private final byte[] batch = new byte[BATCH];
    private final Thread writer;
    private volatile boolean closed;

    AccessLogWriter(OutputStream out, String name) {
        this.out = out;
        writer = new Thread(this::run, "caravan-access-log");
        writer.setDaemon(true);
        writer.start();
        // lines still queued at exit are written (Camel also flushes once it stopped: AccessLog.flush)
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "caravan-access-log-flush"));
        LOG.debug("access log lines go to {}", name);
    }

    /**
     * Lines to standard output, beside (not through) the application log: through {@code System.out} as it is at each
     * write, one call per batch, so whatever captures it (a test runner) gets the lines.
     */
    static AccessLogWriter stdout() {
        return new AccessLogWriter(new OutputStream() {
            @Override
            public void write(int b) {
                System.out.write(b);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                System.out.write(bytes, offset, length);
                System.out.flush();
            }
        }, "stdout");
    }

    /** Lines appended to a file. */
    static AccessLogWriter file(String path) throws IOException {
        return new AccessLogWriter(new FileOutputStream(path, true), path);
    }

    /** Queues one line, its newline included. */
    void add(byte[] line) {
        if (pending.addAndGet(line.length) > MAX_PENDING) {
            LockSupport.unpark(writer);
            while (pending.get() > MAX_PENDING && !closed) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        queue.add(line);
    }

    private void run() {
        while (!closed) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PAUSE_MILLIS));
            drain();
        }
    }

    /** Writes what is queued; called by the writer thread and, once it stopped, by the shutdown hook. */
    private synchronized void drain() {
        int used = 0;
        for (byte[] line = queue.poll(); line != null; line = queue.poll()) {
            pending.addAndGet(-line.length);
            if (used + line.length > BATCH) {
                used = write(used);
            }
            if (line.length > BATCH) {
                write(line, line.length);
            } else {
                System.arraycopy(line, 0, batch, used, line.length);
                used += line.length;
            }
        }
        write(used);
    }

    private int write(int used) {
        if (used > 0) {
            write(batch, used);
        }
        return 0;
    }

    private void write(byte[] bytes, int length) {
        try {
            out.write(bytes, 0, length);
        } catch (IOException e) {
            LOG.warn("access log lines not written: {}", e.getMessage());
        }
    }

    /** Writes what is queued, now. */
    void flush() {
        drain();
        try {
            out.flush();
        } catch (IOException e) {
            LOG.warn("access log not flushed: {}", e.getMessage());
        }
    }

    /** Writes what is still queued and stops the writer. */
    void close() {
        closed = true;
        LockSupport.unpark(writer);
        flush();
    }
}
