package dev.caravan.mcp;

import java.util.Map;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class McpIdsTest {

    @Test
    void aBackendRequestIdGoesOutAndComesBackUnchanged() {
        for (var id : new com.fasterxml.jackson.databind.JsonNode[] {IntNode.valueOf(0), TextNode.valueOf("a:b\"c")}) {
            McpIds.Route back = McpIds.fromClient(McpIds.toClient("everything", id));
            assertEquals("everything", back.backend());
            assertEquals(id, back.id());
        }
        assertEquals("kb:7", McpIds.toClient("kb", IntNode.valueOf(7)).asText());
    }

    @Test
    void idsTheGatewayDidNotIssueAreNotRouted() {
        assertNull(McpIds.fromClient(IntNode.valueOf(5)));
        assertNull(McpIds.fromClient(TextNode.valueOf("no-colon")));
        assertNull(McpIds.fromClient(TextNode.valueOf(":1")));
        assertNull(McpIds.fromClient(TextNode.valueOf("kb:{not json")));
        assertNull(McpIds.fromClient(TextNode.valueOf("kb:{\"an\":\"object\"}")));
    }

    @Test
    void compositeEventIdsCarryEveryBackendsPosition() {
        Map<String, String> positions = Map.of("everything", "e-41", "slack", "s-7");
        assertEquals(positions, McpIds.lastIds(McpIds.eventId(positions)));
        assertTrue(McpIds.lastIds("a plain id from elsewhere").isEmpty());
        assertTrue(McpIds.lastIds(null).isEmpty());
    }
}
