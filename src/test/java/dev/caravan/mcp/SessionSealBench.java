package dev.caravan.mcp;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * How long sealing and opening a gateway session id takes (bench/mcp-bench.sh runs it): a session with two backends
 * sealed, opened from scratch (AES-GCM and JSON, as on a replica that has not seen the id yet) and opened again (the
 * per-replica cache). A plain loop with warm-up; the median of five rounds is printed in microseconds.
 */
public final class SessionSealBench {

    private SessionSealBench() {
    }

    public static void main(String[] args) throws java.io.IOException {
        McpSessions sessions = new McpSessions(Base64.getEncoder().encodeToString(new byte[32]), "", 3_600_000);
        Map<String, McpSessions.Backend> backends = new LinkedHashMap<>();
        backends.put("knowledge-base", new McpSessions.Backend(null, "2025-11-25", Set.of("tools", "resources",
                "prompts")));
        backends.put("slack-conversations", new McpSessions.Backend("6f1c4d2e-3b9a-4f7e-8c1d-2a5b7e9f0c3d",
                "2025-11-25", Set.of("tools", "logging")));
        // what a coding agent declares at initialize, which the session keeps
        var client = (com.fasterxml.jackson.databind.node.ObjectNode) JsonRpc.MAPPER.readTree(
                "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{\"roots\":{\"listChanged\":true},"
                + "\"sampling\":{}},\"clientInfo\":{\"name\":\"claude-code\",\"version\":\"2.1.0\"}}");
        McpSessions.Session session = new McpSessions.Session("2025-11-25", backends, "alice@example.com",
                System.currentTimeMillis(), true, McpSessions.clientParams(client));
        String id = sessions.seal(session);
        int n = 20_000;
        long sink = 0;
        double[] seal = new double[5];
        double[] decode = new double[5];
        double[] cached = new double[5];
        for (int round = -3; round < 5; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += sessions.seal(session).length();
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += sessions.decode(id).backends().size();
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += sessions.open(id, "alice@example.com").backends().size();
            }
            long t3 = System.nanoTime();
            if (round >= 0) {
                seal[round] = (t1 - t0) / 1000.0 / n;
                decode[round] = (t2 - t1) / 1000.0 / n;
                cached[round] = (t3 - t2) / 1000.0 / n;
            }
        }
        java.util.Arrays.sort(seal);
        java.util.Arrays.sort(decode);
        java.util.Arrays.sort(cached);
        System.out.printf("session_id_bytes=%d seal_us=%.2f open_uncached_us=%.2f open_cached_us=%.3f (sink %d)%n",
                id.length(), seal[2], decode[2], cached[2], sink % 10);
    }
}
