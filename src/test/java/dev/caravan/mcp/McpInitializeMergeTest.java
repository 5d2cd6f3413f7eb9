package dev.caravan.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class McpInitializeMergeTest {

    @Test
    void capabilitiesAreTheUnionAndFlagsAreOredAcrossBackends() throws Exception {
        ObjectNode merged = JsonRpc.object();
        McpInitializeMerge.mergeCapabilities(merged, JsonRpc.MAPPER.readTree(
                "{\"tools\":{\"listChanged\":false},\"resources\":{\"subscribe\":true},\"logging\":{}}"));
        McpInitializeMerge.mergeCapabilities(merged, JsonRpc.MAPPER.readTree(
                "{\"tools\":{\"listChanged\":true},\"resources\":{\"subscribe\":false,\"listChanged\":true},"
                + "\"prompts\":{}}"));
        assertEquals(JsonRpc.MAPPER.readTree("{\"tools\":{\"listChanged\":true},"
                + "\"resources\":{\"subscribe\":true,\"listChanged\":true},\"logging\":{},\"prompts\":{}}"), merged);
    }

    @Test
    void onlyCapabilitiesTheGatewayRoutesAreAdvertised() throws Exception {
        ObjectNode merged = JsonRpc.object();
        // server-everything's: tasks and an experimental feature have no route through the gateway
        McpInitializeMerge.mergeCapabilities(merged, JsonRpc.MAPPER.readTree("{\"tools\":{\"listChanged\":true},"
                + "\"resources\":{\"subscribe\":true,\"listChanged\":true,\"x\":{}},\"completions\":{},"
                + "\"tasks\":{\"list\":{},\"cancel\":{},\"requests\":{\"tools\":{\"call\":{}}}},"
                + "\"experimental\":{\"y\":{}}}"));
        assertEquals(JsonRpc.MAPPER.readTree("{\"tools\":{\"listChanged\":true},"
                + "\"resources\":{\"subscribe\":true,\"listChanged\":true},\"completions\":{}}"), merged);
    }

    @Test
    void resourceUrisInResultsAndNotificationsAreQualified() throws Exception {
        ObjectNode call = (ObjectNode) JsonRpc.MAPPER.readTree("{\"id\":1,\"result\":{\"content\":["
                + "{\"type\":\"text\",\"text\":\"docs://x\"},"
                + "{\"type\":\"resource_link\",\"uri\":\"docs://a\"},"
                + "{\"type\":\"resource\",\"resource\":{\"uri\":\"file:///b\",\"text\":\"\"}}]}}");
        McpNames.qualifyResourceUris("kb", "tools/call", call);
        assertEquals("docs://x", call.at("/result/content/0/text").asText());
        assertEquals("kb+docs://a", call.at("/result/content/1/uri").asText());
        assertEquals("kb+file:///b", call.at("/result/content/2/resource/uri").asText());

        ObjectNode updated = (ObjectNode) JsonRpc.MAPPER.readTree(
                "{\"method\":\"notifications/resources/updated\",\"params\":{\"uri\":\"docs://a\"}}");
        McpNames.qualifyResourceUris("kb", null, updated);
        assertEquals("kb+docs://a", updated.at("/params/uri").asText());
    }
}
