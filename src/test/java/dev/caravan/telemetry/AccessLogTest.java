package dev.caravan.telemetry;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The access log line streamed by type is the line Jackson would write for the same fields. */
class AccessLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aLineIsWhatJacksonWritesForTheSameFields() throws Exception {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", "2026-12-03T14:31:21.667041707Z");
        line.put("kind", "llm");
        line.put("path", "/v1/messages?x=\"quoted\"\\ and \u2028 and \u00e9 and \u0001");
        line.put("bytes_in", 153L);
        line.put("status", 200);
        line.put("duration_ms", 284.138682);
        line.put("tiny", 1.0E-7);
        line.put("stream", false);
        line.put("ttft_ms", null);
        line.put("backends", List.of("knowledge-base", "slack-conversations"));
        line.put("backends_failed", List.of());
        line.put("fields", Map.of("product", "gloo"));
        line.put("cost_usd", new BigDecimal("0.000123"));
        line.put("mixed", Arrays.asList("a", null, 3L));
        assertEquals(JSON.writeValueAsString(line), AccessLog.json(line));
    }

    /** Camel's stop flushes: the last requests' lines are in the file at once, not up to a batch interval later. */
    @Test
    void aFlushWritesTheQueuedLinesNow(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        AccessLog.configure(file.toString(), false);
        try {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("kind", "mcp");
            line.put("n", 1L);
            AccessLog.write(line);
            AccessLog.flush();
            assertEquals("{\"kind\":\"mcp\",\"n\":1}\n", Files.readString(file));
        } finally {
            AccessLog.configure("", false);
        }
    }

    @Test
    void timeIsWhatInstantToStringWrites() {
        SplittableRandom random = new SplittableRandom(16);
        long second = Instant.parse("2026-12-03T14:31:21Z").getEpochSecond();
        for (int i = 0; i < 20_000; i++) {
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            // runs of lines in one second, then a jump: the cached second must follow
            long at = i % 7 == 0 ? second + random.nextLong(-400_000_000L, 400_000_000L) : second;
            Instant instant = Instant.ofEpochSecond(at, nanos);
            assertEquals(instant.toString(), AccessLog.time(instant));
        }
    }
}
