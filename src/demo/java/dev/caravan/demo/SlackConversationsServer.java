package dev.caravan.demo;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.http.HttpServlet;

/**
 * Demo MCP server "slack-conversations": a stateful (session-holding) server over a few bundled Slack messages, with
 * {@code search_messages} (arguments {@code query} and {@code channel}) and {@code summarize_channel}, a deliberately
 * slow tool that reports progress while it reads a channel.
 */
final class SlackConversationsServer {

    record Post(String channel, String user, String ts, String text) {
    }

    private final List<Post> posts;
    private final HttpServletStreamableServerTransportProvider transport;
    private final McpSyncServer server;

    SlackConversationsServer() {
        posts = load();
        McpJsonMapper json = McpJsonDefaults.getMapper();
        transport = HttpServletStreamableServerTransportProvider.builder().mcpEndpoint("/mcp").build();
        String channels = posts.stream().map(Post::channel).distinct().collect(Collectors.joining(", "));
        McpSchema.Tool search = McpSchema.Tool.builder()
                .name("search_messages")
                .title("Search Slack messages")
                .description("Finds Slack messages containing the words of the query, optionally in one channel ("
                             + channels + ").")
                .inputSchema(json, """
                        {"type": "object",
                         "properties": {
                           "query": {"type": "string", "description": "words to look for"},
                           "channel": {"type": "string", "description": "only messages of this channel"}
                         },
                         "required": ["query"]}""")
                .build();
        McpSchema.Tool summarize = McpSchema.Tool.builder()
                .name("summarize_channel")
                .title("Summarize a channel (slow)")
                .description("Reads a channel message by message and summarizes it. Slow on purpose: it reports "
                             + "progress after each step.")
                .inputSchema(json, """
                        {"type": "object",
                         "properties": {
                           "channel": {"type": "string"},
                           "steps": {"type": "integer", "minimum": 1, "maximum": 50, "default": 5},
                           "stepMillis": {"type": "integer", "minimum": 0, "maximum": 10000, "default": 400}
                         },
                         "required": ["channel"]}""")
                .build();
        server = McpServer.sync(transport)
                .serverInfo("slack-conversations", "1.0.0")
                .instructions("Search internal Slack conversations with search_messages.")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).logging().build())
                .tools(McpServerFeatures.SyncToolSpecification.builder().tool(search)
                                .callHandler((exchange, req) -> search(req)).build(),
                        McpServerFeatures.SyncToolSpecification.builder().tool(summarize)
                                .callHandler(this::summarize).build())
                .build();
    }

    HttpServlet servlet() {
        return transport;
    }

    void close() {
        server.close();
    }

    private static List<Post> load() {
        try (InputStream in = SlackConversationsServer.class.getResourceAsStream("/demo/slack-conversations.json")) {
            return new ObjectMapper().readValue(in, new TypeReference<List<Post>>() {
            });
        } catch (IOException e) {
            throw new IllegalStateException("demo messages missing", e);
        }
    }

    private McpSchema.CallToolResult search(McpSchema.CallToolRequest req) {
        Map<String, Object> args = req.arguments() == null ? Map.of() : req.arguments();
        List<String> words = Arrays.stream(String.valueOf(args.getOrDefault("query", "")).toLowerCase(Locale.ROOT)
                .split("\\W+")).filter(w -> w.length() > 2).toList();
        Object channel = args.get("channel");
        List<Post> hits = posts.stream()
                .filter(p -> channel == null || p.channel().equals(channel))
                .filter(p -> words.stream().anyMatch(p.text().toLowerCase(Locale.ROOT)::contains))
                .toList();
        String text = hits.isEmpty() ? "No messages found."
                : hits.stream().map(p -> "#" + p.channel() + " " + p.ts() + " @" + p.user() + ": " + p.text())
                        .collect(Collectors.joining("\n"));
        return McpSchema.CallToolResult.builder().addTextContent(text).build();
    }

    private McpSchema.CallToolResult summarize(McpSyncServerExchange exchange, McpSchema.CallToolRequest req) {
        Map<String, Object> args = req.arguments() == null ? Map.of() : req.arguments();
        String channel = String.valueOf(args.get("channel"));
        int steps = ((Number) args.getOrDefault("steps", 5)).intValue();
        long stepMillis = ((Number) args.getOrDefault("stepMillis", 400)).longValue();
        Object token = req.meta() == null ? null : req.meta().get("progressToken");
        List<Post> inChannel = posts.stream().filter(p -> p.channel().equals(channel)).toList();
        if (inChannel.isEmpty()) {
            // a tool error: the tool ran, and its result tells the model what went wrong
            return McpSchema.CallToolResult.builder().addTextContent("Channel #" + channel + " does not exist.")
                    .isError(true).build();
        }
        for (int i = 1; i <= steps; i++) {
            try {
                Thread.sleep(stepMillis); // the demo's stand-in for slow work; it is what makes progress visible
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return McpSchema.CallToolResult.builder().addTextContent("interrupted").isError(true).build();
            }
            if (token != null) {
                exchange.progressNotification(new McpSchema.ProgressNotification(token, i, (double) steps,
                        "read " + i + " of " + steps + " parts of #" + channel));
            }
        }
        LinkedHashSet<String> people = inChannel.stream().map(Post::user)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        String text = "#" + channel + ": " + inChannel.size() + " messages from " + String.join(", ", people)
                      + ". Latest: " + inChannel.get(inChannel.size() - 1).text();
        return McpSchema.CallToolResult.builder().addTextContent(text).build();
    }
}
