package dev.caravan.support;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The packaged demo ({@code java -jar target/caravan-demo.jar}: the gateway and the demo's servers) or the product
 * alone ({@link #product()}) started on free ports, configured the way an operator would: environment variables over
 * the files in {@code config/}.
 */
public final class GatewayProcess implements AutoCloseable {

    public final int port = TestPorts.free();
    public final int managementPort = TestPorts.free();
    public final int knowledgeBasePort = TestPorts.free();
    public final int slackPort = TestPorts.free();
    public final int issuerPort = TestPorts.free();
    private final Map<String, String> env = new HashMap<>();
    private List<String> command = List.of("java", "-jar", "target/caravan-demo.jar");
    private ManagedProcess process;

    public GatewayProcess() {
        env.put("CARAVAN_HTTP_PORT", String.valueOf(port));
        env.put("CARAVAN_MANAGEMENT_PORT", String.valueOf(managementPort));
        env.put("CARAVAN_DEMO_KNOWLEDGE_BASE_PORT", String.valueOf(knowledgeBasePort));
        env.put("CARAVAN_DEMO_SLACK_CONVERSATIONS_PORT", String.valueOf(slackPort));
        env.put("CARAVAN_DEMO_ISSUER_PORT", String.valueOf(issuerPort));
        env.put("CARAVAN_DEMO_LLM_PORT", String.valueOf(TestPorts.free()));
        env.put("CARAVAN_AUTH_RESOURCE", "http://127.0.0.1:" + port + "/mcp");
        env.put("MCP_KNOWLEDGE_BASE_URL", "http://127.0.0.1:" + knowledgeBasePort + "/mcp");
        env.put("MCP_SLACK_CONVERSATIONS_URL", "http://127.0.0.1:" + slackPort + "/mcp");
        env.put("CAMEL_MAIN_ROUTES_RELOAD_ENABLED", "false");
    }

    public GatewayProcess env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Starts the product jar, {@code java -jar target/caravan.jar}: no demo servers. */
    public GatewayProcess product() {
        return command(List.of("java", "-jar", "target/caravan.jar"));
    }

    /** Starts the gateway with this command instead of {@code java -jar target/caravan-demo.jar}. */
    public GatewayProcess command(List<String> command) {
        this.command = List.copyOf(command);
        return this;
    }

    /** Starts the gateway and waits until it serves: its traffic port opens once every route has started. */
    public GatewayProcess start(String logName) throws Exception {
        return start(logName, 60);
    }

    public GatewayProcess start(String logName, long seconds) throws Exception {
        startUnchecked(logName).awaitLine(seconds);
        return this;
    }

    /** Starts the gateway without waiting, for a start that is expected to fail or to watch it start. */
    public ManagedProcess startUnchecked(String logName) {
        process = ManagedProcess.start(command, Path.of("."), env, logName, serving(port));
        return process;
    }

    /** The line the gateway logs once its traffic port is open (after Camel's "started in"). */
    public static java.util.function.Predicate<String> serving(int port) {
        return line -> line.contains("Traffic port " + port + " open");
    }

    public String output() {
        return process.output();
    }

    /** See {@link ManagedProcess#terminate}. */
    public void terminate() {
        process.terminate();
    }

    public int awaitExit(long seconds) throws Exception {
        return process.awaitExit(seconds);
    }

    /** See {@link ManagedProcess#nextLine}. */
    public java.util.concurrent.CompletableFuture<String> nextLine(java.util.function.Predicate<String> line) {
        return process.nextLine(line);
    }

    @Override
    public void close() throws Exception {
        if (process != null) {
            process.close();
        }
    }
}
