package dev.caravan.support;

import java.util.Map;
import java.util.function.BiFunction;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import org.eclipse.jetty.server.Server;

import dev.caravan.demo.DemoServers;

/**
 * A real MCP server (MCP Java SDK, stateful Streamable HTTP on Jetty) that can be restarted on its port and then knows
 * none of its former sessions, like a redeployed backend. Tools: {@code echo} (its {@code text} back), {@code steps}
 * ({@code count} progress notifications when the call has a progress token, then a result), whose SSE answer has
 * several events to cut between, and {@code whoami}, which tells who is asking: the server's session id, the client's
 * name and which capabilities the client declared at initialize.
 */
public final class RestartableMcpServer implements AutoCloseable {

    private final int port;
    private McpSyncServer mcp;
    private Server jetty;

    /** A server on a free port. */
    public RestartableMcpServer() {
        this(TestPorts.free());
    }

    public RestartableMcpServer(int port) {
        this.port = port;
        start();
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/mcp";
    }

    /** Stops the server and starts a new one on the same port: every session is lost. */
    public synchronized void restart() {
        close();
        start();
    }

    private synchronized void start() {
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .mcpEndpoint("/mcp").build();
        mcp = McpServer.sync(transport)
                .serverInfo("restartable", "1.0.0")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .tools(tool("echo", "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}}}",
                                (exchange, req) -> text(String.valueOf(req.arguments().get("text")))),
                        tool("steps", "{\"type\":\"object\",\"properties\":{\"count\":{\"type\":\"integer\"}}}",
                                RestartableMcpServer::steps),
                        tool("whoami", "{\"type\":\"object\"}", RestartableMcpServer::whoami))
                .build();
        try {
            jetty = DemoServers.serve(port, transport);
        } catch (Exception e) {
            throw new IllegalStateException("test MCP server cannot listen on " + port, e);
        }
    }

    private static McpServerFeatures.SyncToolSpecification tool(String name, String schema,
            BiFunction<McpSyncServerExchange, McpSchema.CallToolRequest, McpSchema.CallToolResult> call) {
        return McpServerFeatures.SyncToolSpecification.builder()
                .tool(McpSchema.Tool.builder().name(name).inputSchema(McpJsonDefaults.getMapper(), schema).build())
                .callHandler(call).build();
    }

    private static McpSchema.CallToolResult steps(McpSyncServerExchange exchange, McpSchema.CallToolRequest req) {
        Map<String, Object> args = req.arguments() == null ? Map.of() : req.arguments();
        int count = ((Number) args.getOrDefault("count", 3)).intValue();
        Object token = req.meta() == null ? null : req.meta().get("progressToken");
        for (int i = 1; i <= count && token != null; i++) {
            exchange.progressNotification(new McpSchema.ProgressNotification(token, i, (double) count, "step " + i));
        }
        return text("done " + count);
    }

    private static McpSchema.CallToolResult whoami(McpSyncServerExchange exchange, McpSchema.CallToolRequest req) {
        McpSchema.ClientCapabilities declared = exchange.getClientCapabilities();
        return text(exchange.sessionId() + " " + exchange.getClientInfo().name()
                    + (declared.sampling() != null ? " sampling" : "") + (declared.roots() != null ? " roots" : ""));
    }

    private static McpSchema.CallToolResult text(String text) {
        return McpSchema.CallToolResult.builder().addTextContent(text).build();
    }

    @Override
    public synchronized void close() {
        try {
            jetty.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        mcp.close();
    }
}
