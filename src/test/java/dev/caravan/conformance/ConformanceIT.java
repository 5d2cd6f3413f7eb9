package dev.caravan.conformance;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.caravan.support.ManagedProcess;
import dev.caravan.support.TestPorts;

/**
 * The official MCP conformance suite 0.1.16 (npm {@code @modelcontextprotocol/conformance}, every server scenario,
 * MCP 2025-11-25 with sessions) against {@link ConformanceFixture} alone and behind the gateway: see
 * {@link ConformanceBar}.
 */
class ConformanceIT {

    @Test
    void gatewayDoesNoWorseThanItsBackend() throws Exception {
        int fixturePort = TestPorts.free();
        try (ManagedProcess fixture = ManagedProcess.start(List.of("java", "-cp", System.getProperty("java.class.path"),
                        ConformanceFixture.class.getName(), String.valueOf(fixturePort)), Path.of("."), Map.of(),
                "conformance-fixture", line -> line.contains("conformance fixture listening")).awaitLine(60)) {
            ConformanceBar.hold(ConformanceSuite.SESSIONS, fixturePort, "conformance-routes", 30);
        }
    }
}
