package dev.caravan.support;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import org.eclipse.jetty.server.Server;

import dev.caravan.demo.DemoServers;

/**
 * A stateful MCP server (MCP Java SDK, Streamable HTTP) that can be stopped and started again on the same port,
 * losing its sessions as a real restart does. Its tool {@code whoami} tells who is asking: the server's session id,
 * the client's name and which capabilities the client declared at initialize.
 */
public final class RestartableMcpServer implements AutoCloseable {

    private final int port = TestPorts.free();
    private McpSyncServer mcp;
    private Server jetty;

    public RestartableMcpServer() throws Exception {
        start();
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/mcp";
    }

    /** Stops the server, and with it every session, then starts a new one on the same port. */
    public void restart() throws Exception {
        stop();
        start();
    }

    private void start() throws Exception {
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .mcpEndpoint("/mcp").build();
        mcp = McpServer.sync(transport).serverInfo("restartable", "1.0.0")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                .tools(McpServerFeatures.SyncToolSpecification.builder()
                        .tool(McpSchema.Tool.builder().name("whoami").description("who is asking")
                                .inputSchema(McpJsonDefaults.getMapper(), "{\"type\":\"object\"}").build())
                        .callHandler((exchange, request) -> {
                            McpSchema.ClientCapabilities declared = exchange.getClientCapabilities();
                            return McpSchema.CallToolResult.builder().addTextContent(exchange.sessionId() + " "
                                    + exchange.getClientInfo().name() + (declared.sampling() != null ? " sampling" : "")
                                    + (declared.roots() != null ? " roots" : "")).build();
                        })
                        .build())
                .build();
        jetty = DemoServers.serve(port, transport);
    }

    private void stop() throws Exception {
        jetty.stop();
        mcp.close();
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
