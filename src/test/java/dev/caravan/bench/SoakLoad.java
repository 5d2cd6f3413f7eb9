package dev.caravan.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;


/**
 * The soak load (bench/soak.sh): mixed MCP and LLM traffic at a fixed rate for a long time, with faults sprinkled in
 * (clients that hang up mid-stream, hostile requests, forged JSON-RPC answers; the upstream faults come from the fault
 * proxies the script puts in front of one provider and one backend). Every few seconds it samples the gateway's RSS and
 * open file descriptors; at the end it checks what must hold after any amount of traffic: one access log line per
 * request, usage recorded for every LLM request, nothing left in flight upstream, every provider answering again, and
 * the slopes of RSS and descriptors over the run after its first quarter.
 * <p>
 * usage: SoakLoad gatewayPort managementPort gatewayPid accessLogFile seconds requestsPerSecond summaryFile
 */
public final class SoakLoad {

    private static final String ACCEPT = "application/json, text/event-stream";
    private static final String INIT = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"soak\",\"version\":\"1\"}}}";
    private static final String ANTHROPIC = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,\"stream\":%s,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"soak %d\"}]}";
    private static final String OPENAI = "{\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"soak %d\"}]}";

    /** What the load sends, with its weight in the mix and the statuses its answer may have. */
    private enum Kind {
        MCP_CALL(22, 200), MCP_CALL_FAULTED(8, 200), MCP_LIST(10, 200), MCP_SESSION(4, 200), LLM_ANTHROPIC_STREAM(22, 200),
        LLM_ANTHROPIC(8, 200), LLM_OPENAI_STREAM(14, 200, 429, 500, 502, 503, 504), LLM_CLIENT_GONE(4, 200),
        HOSTILE_MODEL(3, 400), HOSTILE_UTF8(2, 400), FORGED_ANSWER(3, 400);

        final int weight;
        final int[] statuses;

        Kind(int weight, int... statuses) {
            this.weight = weight;
            this.statuses = statuses;
        }

        boolean expected(int status) {
            for (int s : statuses) {
                if (s == status) {
                    return true;
                }
            }
            return false;
        }

        boolean llm() {
            return name().startsWith("LLM") || this == HOSTILE_MODEL;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String gateway;
    private final Random random = new Random(42);
    private final Map<Kind, AtomicInteger> sent = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> unexpected = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong counter = new AtomicLong();
    private volatile String session;
    /** sessions the load opened: each wrote two access log lines (initialize, notifications/initialized) */
    private int sessionsOpened;

    private SoakLoad(int port) {
        this.gateway = "http://127.0.0.1:" + port;
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String management = "http://127.0.0.1:" + args[1];
        long pid = Long.parseLong(args[2]);
        Path accessLog = Path.of(args[3]);
        long seconds = Long.parseLong(args[4]);
        int rate = Integer.parseInt(args[5]);
        Path summary = Path.of(args[6]);
        new SoakLoad(port).run(management, pid, accessLog, seconds, rate, summary);
    }

    private void run(String management, long pid, Path accessLog, long seconds, int rate, Path summary)
            throws Exception {
        long accessLinesBefore = lines(accessLog);
        session = newSession();
        List<long[]> samples = new ArrayList<>(); // {seconds since start, rss kB, fds}
        ScheduledExecutorService clock = Executors.newScheduledThreadPool(2);
        long start = System.nanoTime();
        clock.scheduleAtFixedRate(this::send, 0, 1_000_000 / rate, TimeUnit.MICROSECONDS);
        // agents come and go: the load moves to a new session every five minutes
        clock.scheduleAtFixedRate(() -> session = newSession(), 300, 300, TimeUnit.SECONDS);
        clock.scheduleAtFixedRate(() -> {
            long[] sample = {(System.nanoTime() - start) / 1_000_000_000, rssKb(pid), fds(pid)};
            synchronized (samples) {
                samples.add(sample);
            }
            System.out.printf("t=%ds rss=%dMB fds=%d sent=%d in_flight=%d unexpected=%s%n", sample[0],
                    sample[1] / 1024, sample[2], counter.get(), inFlight.get(), unexpected);
        }, 0, 10, TimeUnit.SECONDS);
        clock.awaitTermination(seconds, TimeUnit.SECONDS);
        clock.shutdownNow();
        long deadline = System.currentTimeMillis() + 60_000;
        while (inFlight.get() > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100); // the last streams finish; the client has no completion signal for all of them at once
        }

        Map<String, Object> results = new TreeMap<>();
        long total = sent.values().stream().mapToLong(AtomicInteger::get).sum();
        long llm = sent.entrySet().stream().filter(e -> e.getKey().llm()).mapToLong(e -> e.getValue().get()).sum();
        results.put("requests", total);
        results.put("llm_requests", llm);
        results.put("unexpected_answers", unexpected.toString());
        results.put("client_in_flight_at_end", inFlight.get());
        long logged = awaitLines(accessLog, accessLinesBefore + total + 2 * sessionsOpened(), 30_000) - accessLinesBefore;
        results.put("access_log_lines", logged);
        results.put("access_log_lines_expected", total + 2 * sessionsOpened());
        String metrics = get(management + "/observe/metrics").body();
        results.put("llm_requests_counted", sum(metrics, "caravan_llm_requests_total"));
        results.put("upstream_calls_active_at_end", sum(metrics, "caravan_upstream_calls_active"));
        results.put("llm_usage_incomplete", sum(metrics, "caravan_llm_usage_incomplete_total"));
        results.put("providers_answering_after", providersAnswer());
        synchronized (samples) {
            List<long[]> steady = samples.subList(samples.size() / 4, samples.size());
            results.put("rss_mb_first", samples.get(0)[1] / 1024);
            results.put("rss_mb_last", samples.get(samples.size() - 1)[1] / 1024);
            results.put("rss_slope_mb_per_hour", String.format("%.1f", slope(steady, 1) * 3600 / 1024));
            results.put("fds_first", samples.get(0)[2]);
            results.put("fds_last", samples.get(samples.size() - 1)[2]);
            results.put("fds_slope_per_hour", String.format("%.1f", slope(steady, 2) * 3600));
        }
        StringBuilder out = new StringBuilder();
        results.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
        Files.writeString(summary, out.toString());
        System.out.print(out);
    }

    /** One request of the mix, sent without waiting for its answer. */
    private void send() {
        Kind kind = pick();
        long n = counter.incrementAndGet();
        sent.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
        inFlight.incrementAndGet();
        CompletableFuture<Integer> answer = switch (kind) {
            case MCP_CALL -> mcp("{\"jsonrpc\":\"2.0\",\"id\":" + n + ",\"method\":\"tools/call\",\"params\":{\"name\":"
                                 + "\"knowledge-base_search_docs\",\"arguments\":{\"query\":\"timeouts\"}}}");
            // a backend behind the soak's fault proxy: a fault is a JSON-RPC error in a 200
            case MCP_CALL_FAULTED -> mcp("{\"jsonrpc\":\"2.0\",\"id\":" + n + ",\"method\":\"tools/call\",\"params\":"
                                         + "{\"name\":\"slack-conversations_search_messages\",\"arguments\":"
                                         + "{\"query\":\"timeouts\"}}}");
            case MCP_LIST -> mcp("{\"jsonrpc\":\"2.0\",\"id\":" + n + ",\"method\":\"tools/list\"}");
            case MCP_SESSION -> CompletableFuture.supplyAsync(() -> {
                String id = newSession();
                return status(send(HttpRequest.newBuilder(URI.create(gateway + "/mcp")).DELETE()
                        .header("Mcp-Session-Id", id), HttpResponse.BodyHandlers.discarding()));
            });
            case LLM_ANTHROPIC_STREAM -> llm("/v1/messages", ANTHROPIC.formatted(true, n), false);
            case LLM_ANTHROPIC -> llm("/v1/messages", ANTHROPIC.formatted(false, n), false);
            case LLM_OPENAI_STREAM -> llm("/v1/chat/completions", OPENAI.formatted(n), false);
            case LLM_CLIENT_GONE -> llm("/v1/messages", ANTHROPIC.formatted(true, n), true);
            case HOSTILE_MODEL -> llm("/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude%0Aevil:rawPredict",
                    ANTHROPIC.formatted(false, n), false);
            case HOSTILE_UTF8 -> post("/mcp", new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'},
                    session);
            case FORGED_ANSWER -> mcp("{\"jsonrpc\":\"2.0\",\"id\":\"knowledge-base:" + n + "\",\"result\":{}}");
        };
        answer.whenComplete((status, error) -> {
            inFlight.decrementAndGet();
            if (error != null) {
                unexpected.computeIfAbsent(kind + ":" + error.getClass().getSimpleName(), k -> new AtomicInteger())
                        .incrementAndGet();
            } else if (!kind.expected(status)) {
                unexpected.computeIfAbsent(kind + ":" + status, k -> new AtomicInteger()).incrementAndGet();
            }
        });
    }

    private Kind pick() {
        int total = 0;
        for (Kind k : Kind.values()) {
            total += k.weight;
        }
        int r;
        synchronized (random) {
            r = random.nextInt(total);
        }
        for (Kind k : Kind.values()) {
            r -= k.weight;
            if (r < 0) {
                return k;
            }
        }
        throw new IllegalStateException();
    }

    private CompletableFuture<Integer> mcp(String body) {
        return post("/mcp", body.getBytes(java.nio.charset.StandardCharsets.UTF_8), session);
    }

    private CompletableFuture<Integer> post(String path, byte[] body, String mcpSession) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway + path))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json").header("Accept", ACCEPT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (mcpSession != null) {
            request.header("Mcp-Session-Id", mcpSession);
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode);
    }

    /** An LLM request; {@code hangUp}: the client goes away after the first bytes of the stream. */
    private CompletableFuture<Integer> llm(String path, String body, boolean hangUp) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").header("x-api-key", "soak")
                .header("anthropic-version", "2023-06-01").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        if (!hangUp) {
            return http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode);
        }
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream()).thenApply(response -> {
            try (InputStream in = response.body()) {
                in.read(new byte[64]);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return response.statusCode();
        });
    }

    private synchronized long sessionsOpened() {
        return sessionsOpened;
    }

    private String newSession() {
        HttpResponse<Void> init = send(HttpRequest.newBuilder(URI.create(gateway + "/mcp"))
                .header("Content-Type", "application/json").header("Accept", ACCEPT)
                .POST(HttpRequest.BodyPublishers.ofString(INIT)), HttpResponse.BodyHandlers.discarding());
        String id = init.headers().firstValue("Mcp-Session-Id").orElseThrow(
                () -> new IllegalStateException("initialize answered " + init.statusCode() + " without a session"));
        send(HttpRequest.newBuilder(URI.create(gateway + "/mcp")).header("Content-Type", "application/json")
                .header("Accept", ACCEPT).header("Mcp-Session-Id", id)
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")),
                HttpResponse.BodyHandlers.discarding());
        synchronized (this) {
            sessionsOpened++;
        }
        return id;
    }

    /** After the load: every provider answers a plain request (no circuit left open for good). */
    private String providersAnswer() throws InterruptedException {
        Map<String, Integer> answers = new TreeMap<>();
        String[][] probes = {
            {"anthropic", "/v1/messages", ANTHROPIC.formatted(false, 0)},
            {"openai", "/v1/chat/completions", OPENAI.formatted(0)},
            {"vertex", "/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-6:rawPredict",
                "{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"}};
        for (String[] probe : probes) {
            long end = System.currentTimeMillis() + 90_000; // a breaker opened by the last faults closes by then
            int status;
            do {
                status = status(send(HttpRequest.newBuilder(URI.create(gateway + probe[1]))
                        .header("Content-Type", "application/json").header("x-api-key", "soak")
                        .header("anthropic-version", "2023-06-01").POST(HttpRequest.BodyPublishers.ofString(probe[2])),
                        HttpResponse.BodyHandlers.discarding()));
                if (status != 200) {
                    Thread.sleep(1000); // polling a recovery with a deadline, not synchronization
                }
            } while (status != 200 && System.currentTimeMillis() < end);
            answers.put(probe[0], status);
        }
        return answers.toString();
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(60)).build(), body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int status(HttpResponse<?> response) {
        return response.statusCode();
    }

    private HttpResponse<String> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)), HttpResponse.BodyHandlers.ofString());
    }

    /** The sum of every series of a metric in a Prometheus scrape. */
    static double sum(String scrape, String metric) {
        return scrape.lines().filter(l -> l.startsWith(metric + "{") || l.startsWith(metric + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static long lines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (var lines = Files.lines(file)) {
            return lines.count();
        }
    }

    /** The access log's line count once it reached {@code expected} or the deadline passed (lines are queued). */
    private static long awaitLines(Path file, long expected, long millis) throws Exception {
        long end = System.currentTimeMillis() + millis;
        long count = lines(file);
        while (count < expected && System.currentTimeMillis() < end) {
            Thread.sleep(200);
            count = lines(file);
        }
        return count;
    }

    private static long rssKb(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith("VmRSS:")).mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
                    .findFirst().orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    private static long fds(long pid) {
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Least-squares slope of column {@code column} over the samples' seconds, per second. */
    static double slope(List<long[]> samples, int column) {
        int n = samples.size();
        if (n < 2) {
            return 0;
        }
        double mx = samples.stream().mapToDouble(s -> s[0]).average().orElse(0);
        double my = samples.stream().mapToDouble(s -> s[column]).average().orElse(0);
        double num = 0;
        double den = 0;
        for (long[] s : samples) {
            num += (s[0] - mx) * (s[column] - my);
            den += (s[0] - mx) * (s[0] - mx);
        }
        return den == 0 ? 0 : num / den;
    }
}
