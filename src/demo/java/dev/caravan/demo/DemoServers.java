package dev.caravan.demo;

import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.http.HttpServlet;
import org.apache.camel.support.service.ServiceSupport;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's sample servers, started with the demo gateway ({@link DemoConfiguration}): two MCP servers
 * (real Streamable HTTP servers, MCP Java SDK on Jetty, loopback only) that reach the gateway only through the backend
 * routes in {@code routes/}, like any other MCP server, and a token issuer for trying authentication.
 */
public final class DemoServers extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(DemoServers.class);

    private final int knowledgeBasePort;
    private final int slackPort;
    private final int issuerPort;
    private final String audience;
    private final StubLlmProvider llm;
    private final int llmPort;
    private final List<Server> servers = new ArrayList<>();
    private final List<Runnable> closers = new ArrayList<>();

    /**
     * @param issuerPort port of the demo token issuer (loopback); its tokens are for {@code audience}
     */
    public DemoServers(int knowledgeBasePort, int slackPort, int issuerPort, String audience, StubLlmProvider llm,
                       int llmPort) {
        this.knowledgeBasePort = knowledgeBasePort;
        this.slackPort = slackPort;
        this.issuerPort = issuerPort;
        this.audience = audience;
        this.llm = llm;
        this.llmPort = llmPort;
    }

    @Override
    protected void doStart() throws Exception {
        KnowledgeBaseServer kb = new KnowledgeBaseServer();
        start("knowledge-base", knowledgeBasePort, kb.servlet());
        closers.add(kb::close);
        SlackConversationsServer slack = new SlackConversationsServer();
        start("slack-conversations", slackPort, slack.servlet());
        closers.add(slack::close);
        try {
            DevIssuer issuer = new DevIssuer(issuerPort, audience);
            closers.add(issuer::close);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("demo issuer cannot listen on port " + issuerPort
                                            + " (caravan.demo.issuer.port): " + e.getMessage(), e);
        }
        try {
            llm.listen(llmPort).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("demo LLM provider cannot listen on port " + llmPort
                                            + " (caravan.demo.llm.port): " + e.getCause().getMessage(), e);
        }
        closers.add(llm::close);
        LOG.info("Demo LLM provider (a stub of Vertex AI, Anthropic and OpenAI) listening on http://127.0.0.1:{}",
                llmPort);
    }

    private void start(String name, int port, HttpServlet servlet) {
        try {
            servers.add(serve(port, servlet));
        } catch (Exception e) {
            throw new IllegalStateException("demo MCP server " + name + " cannot listen on port " + port
                                            + " (caravan.demo." + name + ".port): " + e.getMessage(), e);
        }
        LOG.info("Demo MCP server {} listening on http://127.0.0.1:{}/mcp", name, port);
    }

    /** Serves an MCP SDK transport servlet at {@code http://127.0.0.1:<port>/mcp} on Jetty, started. */
    public static Server serve(int port, HttpServlet servlet) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        ServletHolder holder = new ServletHolder(servlet);
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/mcp");
        server.setHandler(context);
        server.start();
        return server;
    }

    @Override
    protected void doStop() throws Exception {
        closers.forEach(Runnable::run);
        closers.clear();
        for (Server server : servers) {
            server.stop();
        }
        servers.clear();
    }
}
