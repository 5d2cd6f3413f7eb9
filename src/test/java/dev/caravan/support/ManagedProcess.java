package dev.caravan.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A real process a test starts (the packaged gateway, an npm MCP server): its output goes to a log file under
 * target/it-logs, and {@link #awaitLine} waits for the line that says it is ready instead of guessing with sleeps.
 * {@link #close} ends it with every process it started; one a test did not close is ended when the test JVM exits.
 */
public final class ManagedProcess implements AutoCloseable {

    /** Started and not closed yet, for the JVM's shutdown hook. */
    private static final Set<ManagedProcess> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(ManagedProcess::closeQuietly),
                "end test processes"));
    }

    private final Process process;
    private final CompletableFuture<String> ready = new CompletableFuture<>();
    private final StringBuffer output = new StringBuffer();
    private final Thread pump;
    private final List<Map.Entry<Predicate<String>, CompletableFuture<String>>> watchers =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    private ManagedProcess(Process process, Path log, Predicate<String> readyLine) {
        this.process = process;
        pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
                 PrintWriter out = new PrintWriter(Files.newBufferedWriter(log))) {
                String line;
                while ((line = in.readLine()) != null) {
                    out.println(line);
                    out.flush();
                    output.append(line).append('\n');
                    if (readyLine.test(line)) {
                        ready.complete(line);
                    }
                    for (var w : watchers) {
                        if (w.getKey().test(line)) {
                            w.getValue().complete(line);
                            watchers.remove(w);
                        }
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException("process ended before it was ready:\n" + output));
        }, "output of " + log.getFileName());
        pump.setDaemon(true);
        pump.start();
    }

    public static ManagedProcess start(List<String> command, Path workDir, Map<String, String> env, String logName,
                                       Predicate<String> readyLine) {
        try {
            Path logs = Path.of("target", "it-logs");
            Files.createDirectories(logs);
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
            pb.environment().putAll(env);
            ManagedProcess started = new ManagedProcess(pb.start(), logs.resolve(logName + ".log"), readyLine);
            OPEN.add(started);
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the ready line was printed; fails with the output so far if it was not. */
    public ManagedProcess awaitLine(long seconds) throws Exception {
        try {
            ready.get(seconds, TimeUnit.SECONDS);
            return this;
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("not ready after " + seconds + " s:\n" + output, e);
        }
    }

    /**
     * A future that completes with the next output line matching {@code line}; register it before causing the line,
     * then wait on it.
     */
    public CompletableFuture<String> nextLine(Predicate<String> line) {
        CompletableFuture<String> future = new CompletableFuture<>();
        watchers.add(Map.entry(line, future));
        return future;
    }

    /** Waits for the process to end and returns its exit code. */
    public int awaitExit(long seconds) throws Exception {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException("still running after " + seconds + " s:\n" + output);
        }
        pump.join(TimeUnit.SECONDS.toMillis(10)); // the last lines may still be on their way to output
        return process.exitValue();
    }

    public String output() {
        return output.toString();
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    /**
     * Sends SIGTERM, as Kubernetes does to stop a pod, without waiting; the output stays readable (Process.destroy
     * would close it).
     */
    public void terminate() {
        process.toHandle().destroy();
    }

    /**
     * Ends the process and every process it started, and waits until all are gone: SIGTERM, then SIGKILL to what is
     * left after 20 s. Ending the process alone is not enough: a child outlives its parent (the gateway that
     * {@code unshare --fork} started in a PID namespace of its own kept running as uid 65532 after every ImageIT).
     *
     * @throws IllegalStateException if a process of the tree is still there after SIGKILL
     */
    @Override
    public void close() {
        // the tree as it is now: once the parent is gone, its children belong to init and cannot be found from here
        List<ProcessHandle> tree = Stream.concat(Stream.of(process.toHandle()), process.toHandle().descendants())
                .toList();
        tree.forEach(ProcessHandle::destroy);
        if (!allEnded(tree, 20)) {
            tree.forEach(ProcessHandle::destroyForcibly);
            if (!allEnded(tree, 10)) {
                throw new IllegalStateException("still running after SIGKILL: " + tree.stream()
                        .filter(ProcessHandle::isAlive).map(ph -> ph.pid() + " " + ph.info().commandLine().orElse(""))
                        .toList());
            }
        }
        OPEN.remove(this);
    }

    private static boolean allEnded(List<ProcessHandle> tree, long seconds) {
        try {
            CompletableFuture.allOf(tree.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
                    .get(seconds, TimeUnit.SECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("could not end " + process.pid() + ": " + e.getMessage());
        }
    }
}
