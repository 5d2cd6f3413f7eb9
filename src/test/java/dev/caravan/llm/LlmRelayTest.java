package dev.caravan.llm;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Usage read from recorded provider answers, whatever the TCP chunks they arrive in; the bytes pass unchanged. */
class LlmRelayTest {

    private static byte[] recorded(String name) throws Exception {
        try (InputStream in = LlmRelayTest.class.getResourceAsStream("/llm/" + name)) {
            return in.readAllBytes();
        }
    }

    /** Feeds the answer in chunks of {@code size} bytes; returns what the client got. */
    private static String relay(LlmRelay relay, byte[] answer, int size, boolean finish) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < answer.length; i += size) {
            out.append(relay.chunk(Buffer.buffer().appendBytes(answer, i, Math.min(size, answer.length - i)))
                    .toString(StandardCharsets.UTF_8));
        }
        if (finish) {
            relay.finish();
        }
        return out.toString();
    }

    @ParameterizedTest(name = "{0} in chunks of {2}")
    @CsvSource({
            // file, api, chunk size, content type, input, cache read, cache write, output
            "anthropic-stream.sse, VERTEX_ANTHROPIC, 1, text/event-stream, 2520, 2048, 0, 14",
            "anthropic-stream.sse, ANTHROPIC_MESSAGES, 13, text/event-stream, 2520, 2048, 0, 14",
            "anthropic-stream.sse, ANTHROPIC_MESSAGES, 100000, text/event-stream, 2520, 2048, 0, 14",
            "anthropic-message.json, ANTHROPIC_MESSAGES, 7, application/json, 1533, 0, 512, 11",
            "openai-chat-stream.sse, OPENAI_CHAT, 3, text/event-stream, 1290, 1024, 0, 3",
            "openai-chat-stream.sse, OPENAI_CHAT, 4096, text/event-stream, 1290, 1024, 0, 3",
            "openai-responses-stream.sse, OPENAI_RESPONSES, 5, text/event-stream, 37, 0, 0, 11",
            "gemini-stream.sse, VERTEX_GEMINI, 1, text/event-stream, 8, 0, 0, 30",
            "gemini-stream.sse, VERTEX_GEMINI, 77, text/event-stream, 8, 0, 0, 30"})
    void usageComesOutOfEveryFormatAndTheAnswerPassesUnchanged(String file, LlmApi api, int size, String type,
                                                               long input, long cacheRead, long cacheWrite,
                                                               long output) throws Exception {
        byte[] answer = recorded(file);
        LlmRelay relay = new LlmRelay(api, false);
        relay.start(200, type);
        assertEquals(new String(answer, StandardCharsets.UTF_8), relay(relay, answer, size, true));
        assertEquals(new Usage(input, cacheRead, cacheWrite, output, true), relay.usage());
    }

    @ParameterizedTest(name = "chunks of {0}")
    @CsvSource({"1", "9", "100000"})
    void theUsageChunkTheGatewayAskedForIsKeptFromTheClient(int size) throws Exception {
        byte[] answer = recorded("openai-chat-stream.sse");
        LlmRelay relay = new LlmRelay(LlmApi.OPENAI_CHAT, true);
        relay.start(200, "text/event-stream");
        String seen = relay(relay, answer, size, true);
        assertFalse(seen.contains("prompt_tokens"), seen);
        assertEquals(4, seen.split("chat.completion.chunk").length - 1, "the four content chunks");
        assertTrue(seen.endsWith("data: [DONE]\n\n"), seen);
        assertEquals(new Usage(1290, 1024, 0, 3, true), relay.usage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // a stream cut before its final count: what message_start said, marked incomplete
            "anthropic-stream.sse, ANTHROPIC_MESSAGES, 700, 2520, 2",
            "openai-chat-stream.sse, OPENAI_CHAT, 600, 0, 0"})
    void aStreamThatBreaksOffKeepsWhatItCounted(String file, LlmApi api, int cut, long input, long output)
            throws Exception {
        byte[] answer = recorded(file);
        LlmRelay relay = new LlmRelay(api, false);
        relay.start(200, "text/event-stream");
        relay(relay, java.util.Arrays.copyOf(answer, cut), 50, false);
        Usage usage = relay.usage();
        assertEquals(input, usage.input());
        assertEquals(output, usage.output());
        assertFalse(usage.complete());
    }
}
