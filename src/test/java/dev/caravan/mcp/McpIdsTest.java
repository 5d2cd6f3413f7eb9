package dev.caravan.mcp;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class McpIdsTest {

    @Test
    void compositeEventIdsCarryEveryBackendsPosition() {
        Map<String, String> positions = Map.of("everything", "e-41", "slack", "s-7");
        assertEquals(positions, McpIds.lastIds(McpIds.eventId(positions)));
        assertTrue(McpIds.lastIds("a plain id from elsewhere").isEmpty());
        assertTrue(McpIds.lastIds(null).isEmpty());
    }
}
