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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real process a test starts (the packaged gateway, an npm MCP server): its output goes to a log file under
 * target/it-logs, and {@link #awaitLine} waits for the line that says it is ready instead of guessing with sleeps.
 */
public final class ManagedProcess implements AutoCloseable {

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
            return new ManagedProcess(pb.start(), logs.resolve(logName + ".log"), readyLine);
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

    /**
     * Sends SIGTERM, as Kubernetes does to stop a pod, without waiting; the output stays readable (Process.destroy
     * would close it).
     */
    public void terminate() {
        process.toHandle().destroy();
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
