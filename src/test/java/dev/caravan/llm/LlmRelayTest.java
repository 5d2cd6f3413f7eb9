package dev.caravan.llm;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.caravan.support.FlakyProvider;

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
    void usageComesOutOfEveryFormatAndTheAnswerPassesUnchanged(String file, String api, int size, String type,
                                                               long input, long cacheRead, long cacheWrite,
                                                               long output) throws Exception {
        byte[] answer = recorded(file);
        LlmRelay relay = new LlmRelay(api(api), false);
        relay.start(200, type);
        assertEquals(new String(answer, StandardCharsets.UTF_8), relay(relay, answer, size, true));
        assertEquals(new Usage(input, cacheRead, cacheWrite, output, true), relay.usage());
    }

    @ParameterizedTest(name = "chunks of {0}")
    @CsvSource({"1", "9", "100000"})
    void theUsageChunkTheGatewayAskedForIsKeptFromTheClient(int size) throws Exception {
        byte[] answer = recorded("openai-chat-stream.sse");
        LlmRelay relay = new LlmRelay(api("OPENAI_CHAT"), true);
        relay.start(200, "text/event-stream");
        String seen = relay(relay, answer, size, true);
        assertFalse(seen.contains("prompt_tokens"), seen);
        assertEquals(4, seen.split("chat.completion.chunk").length - 1, "the four content chunks");
        assertTrue(seen.endsWith("data: [DONE]\n\n"), seen);
        assertEquals(new Usage(1290, 1024, 0, 3, true), relay.usage());
    }

    @ParameterizedTest(name = "{0} cut in event {2}")
    @CsvSource({
            "anthropic-stream.sse, ANTHROPIC_MESSAGES, 4",
            "gemini-stream.sse, VERTEX_GEMINI, 2",
            "openai-chat-stream.sse, OPENAI_CHAT, 3",
            "openai-responses-stream.sse, OPENAI_RESPONSES, 5"})
    void onlyWholeEventsGoOutSoACutLeavesNoHalfEvent(String file, String api, int cutIn) throws Exception {
        byte[] answer = recorded(file);
        Buffer sse = Buffer.buffer(answer);
        String whole = sse.getString(0, FlakyProvider.endOfEvent(sse, cutIn - 1));
        byte[] cut = Arrays.copyOf(answer, FlakyProvider.middleOfEvent(sse, cutIn));
        // every split, down to single bytes and CR LF pairs split between chunks
        for (int size = 1; size <= cut.length; size += size < 16 ? 1 : 97) {
            LlmRelay relay = new LlmRelay(api(api), false);
            relay.start(200, "text/event-stream");
            assertEquals(whole, relay(relay, cut, size, false), "chunks of " + size);
            assertTrue(relay.counts());
            assertFalse(relay.usage().complete(), "the final count never came");
        }
    }

    @Test
    void anEventGoesOutWithTheChunkThatCompletesIt() {
        LlmRelay relay = new LlmRelay(api("ANTHROPIC_MESSAGES"), false);
        relay.start(200, "text/event-stream");
        assertEquals(": hello\n\nevent: ping\ndata: {}\n\n",
                relay.chunk(Buffer.buffer(": hello\n\nevent: ping\ndata: {}\n\nevent: content_block_de")).toString());
        assertEquals("", relay.chunk(Buffer.buffer("lta\ndata: {\"type\":\"content_block_delta\"}\n")).toString());
        assertEquals("event: content_block_delta\ndata: {\"type\":\"content_block_delta\"}\n\n",
                relay.chunk(Buffer.buffer("\n")).toString());
        assertEquals("\r\n", relay.chunk(Buffer.buffer("\r\n")).toString(), "blank lines between events pass");
    }

    @Test
    void theHiddenUsageChunkIsDroppedWholeWithItsCrLf() {
        LlmRelay relay = new LlmRelay(api("OPENAI_CHAT"), true);
        relay.start(200, "text/event-stream");
        String content = "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}],\"usage\":null}\r\n\r\n";
        String usage = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}\r\n\r\n";
        assertEquals(content + "data: [DONE]\r\n\r\n",
                relay(relay, (content + usage + "data: [DONE]\r\n\r\n").getBytes(StandardCharsets.UTF_8), 7, true));
        assertEquals(new Usage(5, 0, 0, 1, true), relay.usage());
    }

    @Test
    void aCompleteAnswerWithoutACountIsNotIncompleteAndAnErrorAnswerCountsNothing() {
        LlmRelay relay = new LlmRelay(api("OPENAI_CHAT"), false);
        relay.start(200, "text/event-stream");
        relay(relay, "data: {\"choices\":[]}\n\ndata: [DONE]\n\n".getBytes(StandardCharsets.UTF_8), 5, true);
        assertTrue(relay.usage().complete());
        LlmRelay refused = new LlmRelay(api("OPENAI_CHAT"), false);
        refused.start(400, "application/json");
        assertFalse(refused.counts());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // a stream cut before its final count: what message_start said, marked incomplete
            "anthropic-stream.sse, ANTHROPIC_MESSAGES, 700, 2520, 2",
            "openai-chat-stream.sse, OPENAI_CHAT, 600, 0, 0"})
    void aStreamThatBreaksOffKeepsWhatItCounted(String file, String api, int cut, long input, long output)
            throws Exception {
        byte[] answer = recorded(file);
        LlmRelay relay = new LlmRelay(api(api), false);
        relay.start(200, "text/event-stream");
        relay(relay, java.util.Arrays.copyOf(answer, cut), 50, false);
        Usage usage = relay.usage();
        assertEquals(input, usage.input());
        assertEquals(output, usage.output());
        assertFalse(usage.complete());
    }

    /** A built-in API by its former enum name, e.g. OPENAI_CHAT. */
    private static WireApi api(String name) {
        return WireApis.builtIn().byId(name.toLowerCase(java.util.Locale.ROOT));
    }
}
