package dev.caravan.conformance;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.caravan.support.ManagedProcess;
import dev.caravan.support.TestPorts;

/**
 * The official MCP conformance suite at a release with 2026-07-28 scenarios (0.2.0-alpha.12: server/discover,
 * subscriptions/listen, multi round-trip requests, caching, header validation) against a fixture that speaks only
 * that generation (src/test/node/conformance-2026-server.mjs, on the TypeScript SDK v2 server) alone and behind the
 * gateway: see {@link ConformanceBar}.
 */
class Conformance2026IT {

    @Test
    void gatewayDoesNoWorseThanItsBackend() throws Exception {
        int fixturePort = TestPorts.free();
        try (ManagedProcess fixture = ManagedProcess.start(List.of("node", "conformance-2026-server.mjs"),
                Path.of("src", "test", "node"), Map.of("PORT", String.valueOf(fixturePort)), "conformance-2026-fixture",
                line -> line.contains("listening on port")).awaitLine(30)) {
            ConformanceBar.hold(ConformanceSuite.SESSIONLESS, fixturePort, "conformance-routes-2026", 40);
        }
    }
}
