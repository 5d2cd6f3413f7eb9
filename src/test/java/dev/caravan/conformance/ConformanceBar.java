package dev.caravan.conformance;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.caravan.conformance.ConformanceSuite.ScenarioResult;
import dev.caravan.support.GatewayProcess;
import dev.caravan.support.ManagedProcess;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bar the conformance ITs hold the gateway to: a suite's scenarios are run against a fixture server alone, then
 * against the packaged gateway in front of it (the fixture as the only backend, names passed through), and the gateway
 * does no worse than its fixture in any: no failed check (MUST) in a scenario the fixture fails none of, no warning
 * (SHOULD) in one the fixture has none in. Both results are printed, with what fell short behind the gateway.
 */
final class ConformanceBar {

    /** A scenario that left no result. */
    private static final ScenarioResult FAILED = new ScenarioResult(0, 1, 0, List.of("FAILURE: no result"));

    private ConformanceBar() {
    }

    /**
     * @param fixturePort  where the running fixture serves MCP on /mcp
     * @param routes       the directory under src/test/resources with the route file declaring the fixture (its url
     *                     is {@code {{fixture.url}}})
     * @param minScenarios fewer results than this means the suite did not run as it should
     */
    static void hold(ConformanceSuite suite, int fixturePort, String routes, int minScenarios) throws Exception {
        int gatewayPort = TestPorts.free();
        try (ManagedProcess gateway = ManagedProcess.start(List.of("java", "-jar", "target/caravan.jar"), Path.of("."),
                Map.of("CARAVAN_HTTP_PORT", String.valueOf(gatewayPort),
                        "CARAVAN_MANAGEMENT_PORT", String.valueOf(TestPorts.free()),
                        "CARAVAN_MCP_QUALIFY_NAMES", "false",
                        "CAMEL_MAIN_ROUTES_RELOAD_ENABLED", "false",
                        "FIXTURE_URL", "http://127.0.0.1:" + fixturePort + "/mcp",
                        "CAMEL_MAIN_ROUTES_INCLUDE_PATTERN", "file:routes/gateway.camel.yaml,file:routes/mcp.camel.yaml,"
                                                             + "file:kamelets/*.kamelet.yaml,"
                                                             + "file:src/test/resources/" + routes + "/*.camel.yaml"),
                "conformance-gateway-" + routes, GatewayProcess.serving(gatewayPort)).awaitLine(60)) {
            Map<String, ScenarioResult> alone = suite.run("fixture", fixturePort);
            Map<String, ScenarioResult> behindGateway = suite.run("gateway", gatewayPort);
            System.out.println("MCP conformance (" + suite.module() + " " + String.join(" ", suite.selection())
                               + "), scenario -> fixture alone | behind the gateway");
            alone.forEach((scenario, result) -> System.out.printf("  %-48s %-30s | %s%n", scenario, result,
                    behindGateway.get(scenario)));
            List<String> shortOfTheBar = alone.entrySet().stream()
                    .filter(e -> behindGateway.getOrDefault(e.getKey(), FAILED).fallsShortOf(e.getValue()))
                    .map(Map.Entry::getKey).toList();
            for (String scenario : shortOfTheBar) {
                System.out.println("behind the gateway, short of the fixture alone: " + scenario);
                behindGateway.getOrDefault(scenario, FAILED).shortfalls().forEach(s -> System.out.println("    " + s));
            }
            assertTrue(alone.size() >= minScenarios, "the suite ran too few scenarios: " + alone.keySet());
            assertEquals(alone.keySet(), behindGateway.keySet());
            assertEquals(List.of(), shortOfTheBar, "scenarios the gateway does worse in than its fixture alone");
        }
    }
}
