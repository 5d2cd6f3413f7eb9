package dev.caravan.telemetry;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lines are written whole, in order, in batches of many lines per write, and none is lost when the writer closes. */
class AccessLogWriterTest {

    /** A stream that remembers each write call. */
    private static final class Writes extends ByteArrayOutputStream {
        final List<Integer> calls = new ArrayList<>();

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            calls.add(len);
            super.write(b, off, len);
        }
    }

    @Test
    void manyLinesGoOutInFewWritesAndAllOfThemByClose() {
        Writes out = new Writes();
        AccessLogWriter writer = new AccessLogWriter(out, "test");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            String line = "{\"n\":" + i + ",\"pad\":\"" + "x".repeat(i % 300) + "\"}\n";
            expected.add(line);
            writer.add(line.getBytes(StandardCharsets.UTF_8));
        }
        // one line longer than a batch goes out on its own, still in its place
        String huge = "{\"big\":\"" + "y".repeat(100_000) + "\"}\n";
        expected.add(huge);
        writer.add(huge.getBytes(StandardCharsets.UTF_8));
        writer.close();

        assertEquals(String.join("", expected), out.toString(StandardCharsets.UTF_8));
        long bytes = out.size();
        assertTrue(out.calls.size() <= bytes / (64 * 1024) + 10,
                out.calls.size() + " writes for " + bytes + " bytes: lines were not batched");
        assertTrue(out.calls.stream().allMatch(n -> n <= 64 * 1024 || n == huge.length()), "a write over the batch size");
    }

    @Test
    void aLineQueuedWhileTrafficIsQuietIsWrittenWithoutAClose() throws Exception {
        Writes out = new Writes();
        AccessLogWriter writer = new AccessLogWriter(out, "test");
        writer.add("{\"one\":1}\n".getBytes(StandardCharsets.UTF_8));
        long end = System.nanoTime() + 5_000_000_000L;
        while (out.size() == 0 && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        assertEquals("{\"one\":1}\n", out.toString(StandardCharsets.UTF_8));
        writer.close();
    }
}
