package dev.caravan.proxy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SseParserTest {

    private static final String STREAM = "id: 7\r\nevent: message\r\ndata: {\"a\":\r\ndata:  \"é\"}\r\n\r\n"
                                         + ": keep-alive\n"
                                         + "retry: 1500\nid: 8\ndata:\n\n"
                                         + "data: last\r\r";

    private static List<SseParser.Event> parse(byte[] bytes, int chunk) {
        List<SseParser.Event> events = new ArrayList<>();
        SseParser parser = new SseParser(events::add, 1 << 20);
        for (int i = 0; i < bytes.length; i += chunk) {
            byte[] part = new byte[Math.min(chunk, bytes.length - i)];
            System.arraycopy(bytes, i, part, 0, part.length);
            parser.feed(part);
        }
        return events;
    }

    @Test
    void eventsComeOutWholeHoweverTheBytesAreSplit() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        List<SseParser.Event> whole = parse(bytes, bytes.length);
        assertEquals(4, whole.size());
        assertEquals(new SseParser.Event("7", "message", "{\"a\":\n \"é\"}", null, null), whole.get(0));
        assertEquals(" keep-alive", whole.get(1).comment());
        assertEquals(new SseParser.Event("8", null, "", 1500L, null), whole.get(2));
        assertEquals("last", whole.get(3).data());
        // every split point, including inside the two-byte 'é' and between CR and LF
        for (int chunk = 1; chunk < bytes.length; chunk++) {
            assertEquals(whole, parse(bytes, chunk), "chunk size " + chunk);
        }
    }

    @Test
    void serializedEventsParseBackToTheSame() {
        SseParser.Event event = new SseParser.Event("x-1", "message", "line one\nline two", 10L, null);
        List<SseParser.Event> back = parse(event.serialize().getBytes(StandardCharsets.UTF_8), 3);
        assertEquals(List.of(event), back);
    }

    @Test
    void blockWithoutFieldsIsNotAnEvent() {
        assertTrue(parse("\n\n\r\n".getBytes(StandardCharsets.UTF_8), 1).isEmpty());
        assertNull(parse("id: 1\n\n".getBytes(StandardCharsets.UTF_8), 1).get(0).data());
    }

    @Test
    void oversizedEventIsRefused() {
        SseParser parser = new SseParser(e -> {
        }, 16);
        assertThrows(IllegalStateException.class, () -> parser.feed("data: 0123456789abcdefghij\n\n".getBytes()));
    }
}
