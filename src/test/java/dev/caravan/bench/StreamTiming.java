package dev.caravan.bench;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * When the events of a streamed LLM answer reach the client (bench/llm-bench.sh runs it against the stub directly and
 * through each proxy): sequential streaming Anthropic Messages requests, for each the time to the first byte and to
 * every {@code content_block_delta} event. The stub emits its events on a fixed schedule, so comparing a proxy with
 * the direct run gives what the proxy adds to the first byte and to every chunk.
 * usage: StreamTiming name url requests [header=value ...]
 */
public final class StreamTiming {

    private static final String BODY = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":256,\"stream\":true,"
                                       + "\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about gateways\"}]}";

    private StreamTiming() {
    }

    public static void main(String[] args) throws Exception {
        try {
            measure(args);
        } catch (IllegalStateException e) {
            // a target that cannot stream is a result too (the summary says why)
            System.out.println(args[0] + " failed=\"" + e.getMessage().replace('\n', ' ') + "\"");
        }
    }

    private static void measure(String[] args) throws Exception {
        String name = args[0];
        URI uri = URI.create(args[1]);
        int requests = Integer.parseInt(args[2]);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<Long> firstBytes = new ArrayList<>();
        List<Long> chunks = new ArrayList<>();
        for (int i = -5; i < requests; i++) { // five warm-up requests
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json").header("x-api-key", "bench")
                    .header("anthropic-version", "2023-06-01").POST(HttpRequest.BodyPublishers.ofString(BODY));
            for (int h = 3; h < args.length; h++) {
                String[] kv = args[h].split("=", 2);
                request.header(kv[0], kv[1]);
            }
            long start = System.nanoTime();
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(name + " answered " + response.statusCode() + ": "
                                                + new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
            }
            try (InputStream in = response.body()) {
                byte[] buffer = new byte[8192];
                StringBuilder pending = new StringBuilder();
                boolean first = true;
                int n;
                while ((n = in.read(buffer)) > 0) {
                    long at = System.nanoTime() - start;
                    if (first && i >= 0) {
                        firstBytes.add(at);
                    }
                    first = false;
                    pending.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    int from = 0;
                    int hit;
                    // the quoted type is in each delta event's data line once
                    while ((hit = pending.indexOf("\"content_block_delta\"", from)) >= 0) {
                        if (i >= 0) {
                            chunks.add(at);
                        }
                        from = hit + 1;
                    }
                    // drop what was counted; keep a tail that may hold the start of a split event type
                    pending.delete(0, Math.max(from, pending.length() - 32));
                }
            }
        }
        System.out.printf("%s ttfb_p50_ms=%.2f ttfb_p99_ms=%.2f chunk_mean_ms=%.2f chunk_p50_ms=%.2f chunk_p99_ms=%.2f "
                          + "chunks=%d%n", name, pct(firstBytes, 50), pct(firstBytes, 99), mean(chunks), pct(chunks, 50),
                pct(chunks, 99), chunks.size());
    }

    private static double pct(List<Long> nanos, int p) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * p / 100)] / 1e6;
    }

    private static double mean(List<Long> nanos) {
        return nanos.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6;
    }
}
