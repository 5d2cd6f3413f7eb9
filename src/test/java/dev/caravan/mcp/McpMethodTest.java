package dev.caravan.mcp;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The method table: what every MCP step reads about a method, and how a message is dispatched. */
class McpMethodTest {

    @Test
    void eachMethodIsDispatchedByItsRow() {
        assertEquals(McpMethod.Dispatch.FAN_OUT, dispatch("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}"));
        assertEquals(McpMethod.Dispatch.FAN_OUT,
                dispatch("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/templates/list\"}"));
        assertEquals(McpMethod.Dispatch.ROUTED, dispatch("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\"}"));
        assertEquals(McpMethod.Dispatch.ROUTED,
                dispatch("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"completion/complete\"}"));
        assertEquals(McpMethod.Dispatch.BROADCAST,
                dispatch("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"logging/setLevel\"}"));
        assertEquals(McpMethod.Dispatch.INITIALIZE, dispatch("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"}"));
        assertEquals(McpMethod.Dispatch.LOCAL, dispatch("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"));
        // a method the table does not know is answered by the gateway: method not found
        assertEquals(McpMethod.Dispatch.LOCAL, dispatch("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tasks/list\"}"));
        // notifications go to every backend whatever their method; the client's answers back to the one that asked
        assertEquals(McpMethod.Dispatch.BROADCAST,
                dispatch("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"));
        assertEquals(McpMethod.Dispatch.BROADCAST, dispatch("{\"jsonrpc\":\"2.0\",\"method\":\"initialize\"}"));
        assertEquals(McpMethod.Dispatch.ANSWER, dispatch("{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"result\":{}}"));
    }

    @Test
    void listsSayWhereTheirItemsAreAndHowTheyAreQualified() {
        assertEquals("resourceTemplates", McpMethod.RESOURCE_TEMPLATES_LIST.listKey());
        assertEquals("uriTemplate", McpMethod.RESOURCE_TEMPLATES_LIST.item().listField());
        assertEquals(McpNames.URI_SEPARATOR, McpMethod.RESOURCE_TEMPLATES_LIST.item().separator());
        assertEquals("resource", McpMethod.RESOURCE_TEMPLATES_LIST.item().rulesKind());
        assertEquals("tools", McpMethod.TOOLS_LIST.listKey());
        assertEquals(McpNames.NAME_SEPARATOR, McpMethod.PROMPTS_LIST.item().separator());
        assertEquals("name", McpMethod.TOOLS_CALL.item().paramsKey());
        assertEquals("uri", McpMethod.RESOURCES_READ.item().paramsKey());
        assertNull(McpMethod.TOOLS_CALL.listKey());
    }

    @Test
    void aMethodGoesOnlyToBackendsThatDeclaredWhatItNeeds() {
        assertEquals("tools", McpMethod.TOOLS_LIST.needs());
        assertEquals("resources", McpMethod.RESOURCE_TEMPLATES_LIST.needs());
        assertEquals("logging", McpMethod.LOGGING_SET_LEVEL.needs());
        assertEquals("resources.subscribe", McpMethod.RESOURCES_SUBSCRIBE.needs());
        assertEquals(BackendAnswer.SUBSCRIBE, McpMethod.RESOURCES_UNSUBSCRIBE.needs());
        // a routed call goes to the backend that owns the name
        assertNull(McpMethod.TOOLS_CALL.needs());
        assertNull(McpMethod.INITIALIZE.needs());
    }

    @Test
    void theCapabilitiesAdvertisedAreThoseOfTheRoutedMethods() {
        assertEquals(Map.of("tools", List.of("listChanged"), "prompts", List.of("listChanged"),
                "resources", List.of("listChanged", "subscribe"), "completions", List.of(), "logging", List.of()),
                McpMethod.routedCapabilities());
    }

    @Test
    void dispatchPredicatesAreNamedForTheRouteFile() {
        assertEquals("mcpDispatchFanOut", McpDispatch.beanName(McpMethod.Dispatch.FAN_OUT));
        assertEquals("mcpDispatchInitialize", McpDispatch.beanName(McpMethod.Dispatch.INITIALIZE));
    }

    @Test
    void completionNamesAPromptOrAResourceTemplate() throws Exception {
        ObjectNode prompt = (ObjectNode) JsonRpc.MAPPER.readTree("{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"p\"}}");
        ObjectNode template = (ObjectNode) JsonRpc.MAPPER.readTree("{\"ref\":{\"type\":\"ref/resource\",\"uri\":\"u\"}}");
        assertEquals(McpMethod.Item.PROMPT, McpCallRouter.completed(prompt));
        assertEquals(McpMethod.Item.RESOURCE_TEMPLATE, McpCallRouter.completed(template));
        assertNull(McpCallRouter.completed(JsonRpc.object()));
    }

    private static McpMethod.Dispatch dispatch(String message) {
        return McpCall.arrived(0).read(JsonRpc.parse(message.getBytes(java.nio.charset.StandardCharsets.UTF_8))).dispatch();
    }
}
