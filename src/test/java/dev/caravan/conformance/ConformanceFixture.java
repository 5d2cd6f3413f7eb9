package dev.caravan.conformance;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import org.eclipse.jetty.server.Server;

import dev.caravan.demo.DemoServers;

/**
 * The MCP server the official conformance suite (npm {@code @modelcontextprotocol/conformance}, server scenarios) is
 * run against, alone and behind the gateway: it implements the suite's {@code test_*} tools, resources and prompts as
 * the scenarios describe them, with the MCP Java SDK (stateful Streamable HTTP, so it can ask the client for sampling
 * and elicitation).
 * <p>
 * usage: ConformanceFixture port
 */
public final class ConformanceFixture {

    private static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
    private static final String WAV = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQIAAACAgA==";

    private ConformanceFixture() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .mcpEndpoint("/mcp").build();
        McpSyncServer mcp = McpServer.sync(transport)
                .serverInfo("conformance-fixture", "1.0.0")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).resources(true, true).prompts(true)
                        .logging().completions().build())
                .tools(tools())
                .resources(resources())
                .resourceTemplates(new McpServerFeatures.SyncResourceTemplateSpecification(
                        McpSchema.ResourceTemplate.builder().uriTemplate("test://template/{id}/data").name("template")
                                .description("Data for an id").mimeType("application/json").build(),
                        (ex, req) -> {
                            String id = req.uri().replace("test://template/", "").replace("/data", "");
                            return new McpSchema.ReadResourceResult(List.of(new McpSchema.TextResourceContents(
                                    req.uri(), "application/json",
                                    "{\"id\":\"" + id + "\",\"templateTest\":true,\"data\":\"Data for ID: " + id + "\"}")));
                        }))
                .prompts(prompts())
                .completions(new McpServerFeatures.SyncCompletionSpecification(
                        new McpSchema.PromptReference("test_prompt_with_arguments"),
                        (ex, req) -> new McpSchema.CompleteResult(new McpSchema.CompleteResult.CompleteCompletion(
                                List.of("paris", "park", "party"), 3, false))))
                .build();
        Server server = DemoServers.serve(port, transport);
        Runtime.getRuntime().addShutdownHook(new Thread(mcp::close));
        System.out.println("conformance fixture listening on http://127.0.0.1:" + port + "/mcp");
        server.join();
    }

    private static McpServerFeatures.SyncToolSpecification tool(String name, String schema,
            BiFunction<McpSyncServerExchange, McpSchema.CallToolRequest, McpSchema.CallToolResult> handler) {
        McpJsonMapper json = McpJsonDefaults.getMapper();
        return McpServerFeatures.SyncToolSpecification.builder()
                .tool(McpSchema.Tool.builder().name(name).description("Conformance tool " + name)
                        .inputSchema(json, schema).build())
                .callHandler(handler).build();
    }

    private static McpSchema.CallToolResult text(String text) {
        return McpSchema.CallToolResult.builder().addTextContent(text).build();
    }

    private static final String NO_ARGS = "{\"type\":\"object\",\"properties\":{}}";

    private static List<McpServerFeatures.SyncToolSpecification> tools() {
        McpSchema.TextResourceContents mixed = new McpSchema.TextResourceContents("test://mixed-content-resource",
                "application/json", "{\"test\":\"data\",\"value\":123}");
        return List.of(
                tool("test_simple_text", NO_ARGS, (ex, req) -> text("This is a simple text response for testing.")),
                tool("test_image_content", NO_ARGS, (ex, req) -> McpSchema.CallToolResult.builder()
                        .addContent(new McpSchema.ImageContent(null, PNG, "image/png")).build()),
                tool("test_audio_content", NO_ARGS, (ex, req) -> McpSchema.CallToolResult.builder()
                        .addContent(new McpSchema.AudioContent(null, WAV, "audio/wav")).build()),
                tool("test_embedded_resource", NO_ARGS, (ex, req) -> McpSchema.CallToolResult.builder()
                        .addContent(new McpSchema.EmbeddedResource(null, new McpSchema.TextResourceContents(
                                "test://embedded-resource", "text/plain", "This is an embedded resource content.")))
                        .build()),
                tool("test_multiple_content_types", NO_ARGS, (ex, req) -> McpSchema.CallToolResult.builder()
                        .addTextContent("Multiple content types test:")
                        .addContent(new McpSchema.ImageContent(null, PNG, "image/png"))
                        .addContent(new McpSchema.EmbeddedResource(null, mixed)).build()),
                tool("test_tool_with_logging", NO_ARGS, (ex, req) -> {
                    for (String step : List.of("Tool execution started", "Tool processing data",
                            "Tool execution completed")) {
                        ex.loggingNotification(McpSchema.LoggingMessageNotification.builder()
                                .level(McpSchema.LoggingLevel.INFO).logger("conformance").data(step).build());
                        pause();
                    }
                    return text("Logging tool finished");
                }),
                tool("test_error_handling", NO_ARGS, (ex, req) -> McpSchema.CallToolResult.builder()
                        .addTextContent("This tool intentionally returns an error for testing").isError(true).build()),
                tool("test_tool_with_progress", NO_ARGS, (ex, req) -> {
                    Object token = req.meta() == null ? null : req.meta().get("progressToken");
                    for (int p = 0; p <= 100; p += 50) {
                        if (token != null) {
                            ex.progressNotification(new McpSchema.ProgressNotification(token, p, 100.0, null));
                        }
                        pause();
                    }
                    return text("Progress tool finished");
                }),
                tool("test_sampling", "{\"type\":\"object\",\"properties\":{\"prompt\":{\"type\":\"string\"}},"
                                      + "\"required\":[\"prompt\"]}", (ex, req) -> {
                    McpSchema.CreateMessageResult answer = ex.createMessage(McpSchema.CreateMessageRequest.builder()
                            .messages(List.of(new McpSchema.SamplingMessage(McpSchema.Role.USER,
                                    new McpSchema.TextContent(String.valueOf(req.arguments().get("prompt"))))))
                            .maxTokens(100).build());
                    String reply = answer.content() instanceof McpSchema.TextContent t ? t.text() : "";
                    return text("LLM response: " + reply);
                }),
                tool("test_elicitation", "{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\"}},"
                                         + "\"required\":[\"message\"]}", (ex, req) -> elicit(ex,
                        String.valueOf(req.arguments().get("message")), Map.of("type", "object",
                                "properties", Map.of(
                                        "username", Map.of("type", "string", "description", "User's response"),
                                        "email", Map.of("type", "string", "description", "User's email address")),
                                "required", List.of("username", "email")), "User response: ")),
                tool("test_elicitation_sep1034_defaults", NO_ARGS, (ex, req) -> elicit(ex, "Defaults",
                        Map.of("type", "object", "properties", Map.of(
                                "name", Map.of("type", "string", "default", "John Doe"),
                                "age", Map.of("type", "integer", "default", 30),
                                "score", Map.of("type", "number", "default", 95.5),
                                "status", Map.of("type", "string", "enum", List.of("active", "inactive", "pending"),
                                        "default", "active"),
                                "verified", Map.of("type", "boolean", "default", true))),
                        "Elicitation completed: ")),
                tool("test_elicitation_sep1330_enums", NO_ARGS, (ex, req) -> elicit(ex, "Enums",
                        Map.of("type", "object", "properties", Map.of(
                                "untitledSingle", Map.of("type", "string", "enum", List.of("option1", "option2",
                                        "option3")),
                                "titledSingle", Map.of("type", "string", "oneOf", List.of(
                                        Map.of("const", "value1", "title", "First Option"),
                                        Map.of("const", "value2", "title", "Second Option"))),
                                "legacyEnum", Map.of("type", "string", "enum", List.of("opt1", "opt2", "opt3"),
                                        "enumNames", List.of("Option One", "Option Two", "Option Three")),
                                "untitledMulti", Map.of("type", "array", "items", Map.of("type", "string", "enum",
                                        List.of("option1", "option2", "option3"))),
                                "titledMulti", Map.of("type", "array", "items", Map.of("anyOf", List.of(
                                        Map.of("const", "value1", "title", "First Choice"),
                                        Map.of("const", "value2", "title", "Second Choice")))))),
                        "Elicitation completed: ")),
                tool("json_schema_2020_12_tool", """
                        {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                         "$defs": {"address": {"type": "object", "properties": {"street": {"type": "string"},
                                                                              "city": {"type": "string"}}}},
                         "properties": {"name": {"type": "string"}, "address": {"$ref": "#/$defs/address"}},
                         "additionalProperties": false}""", (ex, req) -> text("ok")));
    }

    private static McpSchema.CallToolResult elicit(McpSyncServerExchange ex, String message, Map<String, Object> schema,
                                                   String prefix) {
        McpSchema.ElicitResult result = ex.createElicitation(McpSchema.ElicitFormRequest.builder(message, schema)
                .build());
        return text(prefix + "action=" + result.action().name().toLowerCase() + ", content=" + result.content());
    }

    /** The delay the conformance scenarios ask for between notifications, so a client sees them arrive apart. */
    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<McpServerFeatures.SyncResourceSpecification> resources() {
        return List.of(
                resource("test://static-text", "text/plain", new McpSchema.TextResourceContents("test://static-text",
                        "text/plain", "This is the content of the static text resource.")),
                resource("test://static-binary", "image/png", new McpSchema.BlobResourceContents(
                        "test://static-binary", "image/png", PNG)),
                resource("test://watched-resource", "text/plain", new McpSchema.TextResourceContents(
                        "test://watched-resource", "text/plain", "Watched resource content.")));
    }

    private static McpServerFeatures.SyncResourceSpecification resource(String uri, String mimeType,
                                                                       McpSchema.ResourceContents contents) {
        return new McpServerFeatures.SyncResourceSpecification(McpSchema.Resource.builder().uri(uri)
                .name(uri.substring(7)).description("Conformance resource " + uri).mimeType(mimeType).build(),
                (ex, req) -> new McpSchema.ReadResourceResult(List.of(contents)));
    }

    private static McpServerFeatures.SyncPromptSpecification prompt(String name, List<McpSchema.PromptArgument> args,
            java.util.function.Function<Map<String, Object>, List<McpSchema.Content>> messages) {
        return new McpServerFeatures.SyncPromptSpecification(new McpSchema.Prompt(name, "Conformance prompt " + name,
                args), (ex, req) -> new McpSchema.GetPromptResult(null, messages.apply(
                req.arguments() == null ? Map.of() : req.arguments()).stream()
                .map(c -> new McpSchema.PromptMessage(McpSchema.Role.USER, c)).toList()));
    }

    private static List<McpServerFeatures.SyncPromptSpecification> prompts() {
        return List.of(
                prompt("test_simple_prompt", List.of(),
                        a -> List.of(new McpSchema.TextContent("This is a simple prompt for testing."))),
                prompt("test_prompt_with_arguments", List.of(new McpSchema.PromptArgument("arg1", "First argument", true),
                        new McpSchema.PromptArgument("arg2", "Second argument", true)),
                        a -> List.of(new McpSchema.TextContent("Prompt with arguments: arg1='" + a.get("arg1")
                                                               + "', arg2='" + a.get("arg2") + "'"))),
                prompt("test_prompt_with_embedded_resource",
                        List.of(new McpSchema.PromptArgument("resourceUri", "Resource to embed", true)),
                        a -> List.of(new McpSchema.EmbeddedResource(null, new McpSchema.TextResourceContents(
                                        String.valueOf(a.get("resourceUri")), "text/plain",
                                        "Embedded resource content for testing.")),
                                new McpSchema.TextContent("Please process the embedded resource above."))),
                prompt("test_prompt_with_image", List.of(),
                        a -> List.of(new McpSchema.ImageContent(null, PNG, "image/png"),
                                new McpSchema.TextContent("Please analyze the image above."))));
    }
}
