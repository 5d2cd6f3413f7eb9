package dev.caravan.mcp;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A backend's stream as a client of the sessionless generation (2026-07-28) gets it. */
class ModernEventsTest {

    private static final JsonRpc.Message CALL = JsonRpc.parse(("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\","
            + "\"params\":{\"name\":\"t\"}}").getBytes(StandardCharsets.UTF_8));
    private static final String STREAM = """
            id: 1
            data: {"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"working"}}

            id: 2
            data: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"p","progress":1}}

            id: 3
            data: {"jsonrpc":"2.0","id":5,"result":{"content":[]}}

            """;

    private static String relayed(String logLevel) {
        ModernRequest.Envelope envelope = new ModernRequest.Envelope(ModernRequest.VERSION, JsonRpc.object(), null,
                logLevel);
        BackendEvents events = new BackendEvents("kb", CALL, false, new HashMap<>(), null, envelope, null);
        return events.feed(Buffer.buffer(STREAM)).toString();
    }

    @Test
    void logMessagesOnlyAtTheLevelTheRequestAskedFor() {
        assertFalse(relayed(null).contains("notifications/message"), "no logLevel: no log messages");
        assertFalse(relayed("error").contains("notifications/message"), "an info message is below error");
        assertTrue(relayed("debug").contains("notifications/message"));
        assertTrue(relayed("info").contains("notifications/message"));
    }

    @Test
    void theAnswerIsCompleteAndTheStreamHasNoEventIds() {
        String out = relayed(null);
        assertTrue(out.contains("notifications/progress"), out);
        assertTrue(out.contains("\"resultType\":\"complete\""), out);
        assertFalse(out.contains("id:"), out);
        assertEquals(2, out.split("data:", -1).length - 1, out);
    }

    @Test
    void aResourceReadStreamedBackSaysHowLongItMayBeCached() {
        JsonRpc.Message read = JsonRpc.parse(("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"resources/read\","
                + "\"params\":{\"uri\":\"a://b\"}}").getBytes(StandardCharsets.UTF_8));
        BackendEvents events = new BackendEvents("kb", read, false, new HashMap<>(), null,
                new ModernRequest.Envelope(ModernRequest.VERSION, JsonRpc.object(), null, null), null);
        String out = events.feed(Buffer.buffer("data: {\"jsonrpc\":\"2.0\",\"id\":6,\"result\":{\"contents\":[]}}\n\n"))
                .toString();
        assertTrue(out.contains("\"ttlMs\":0") && out.contains("\"cacheScope\":\"private\""), out);
    }

    @Test
    void aBackendThatAsksTheClientForInputFailsTheCall() {
        BackendEvents events = new BackendEvents("kb", CALL, false, new HashMap<>(), null,
                new ModernRequest.Envelope(ModernRequest.VERSION, JsonRpc.object(), null, null), null);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> events.feed(Buffer.buffer(
                "data: {\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"elicitation/create\",\"params\":{}}\n\n")));
        assertTrue(refused.getMessage().contains("elicitation/create"), refused::getMessage);
    }
}
