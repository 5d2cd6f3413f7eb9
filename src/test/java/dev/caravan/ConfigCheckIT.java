package dev.caravan;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.caravan.support.ManagedProcess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code java -jar target/caravan.jar validate} on the repository's configuration and on copies broken on purpose:
 * every problem is reported with its file and line, and the exit code says whether there was one.
 */
class ConfigCheckIT {

    private static final Path JAR = Path.of("target", "caravan.jar").toAbsolutePath();

    private record Result(int exit, String output) {
    }

    private static Result validate(Path dir, String logName) throws Exception {
        try (ManagedProcess p = ManagedProcess.start(List.of("java", "-jar", JAR.toString(), "validate"), dir,
                Map.of(), logName, line -> false)) {
            int exit = p.awaitExit(60);
            return new Result(exit, p.output());
        }
    }

    /** A copy of config/, routes/ and kamelets/ to break. */
    private static Path copy(Path to) throws Exception {
        for (String dir : List.of("config", "routes", "kamelets")) {
            try (Stream<Path> files = Files.walk(Path.of(dir))) {
                for (Path f : files.toList()) {
                    Path target = to.resolve(f.toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(f, target);
                    }
                }
            }
        }
        return to;
    }

    private static void replace(Path file, String from, String to) throws Exception {
        String text = Files.readString(file);
        assertTrue(text.contains(from), file + " has no " + from);
        Files.writeString(file, text.replaceFirst(java.util.regex.Pattern.quote(from),
                java.util.regex.Matcher.quoteReplacement(to)));
    }

    @Test
    void theShippedConfigurationIsValid() throws Exception {
        Result r = validate(Path.of("."), "validate-good");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("Configuration OK: 9 files, 2 MCP backends, 5 LLM providers"), r.output());
    }

    @Test
    void everyProblemIsReportedWithFileAndLine(@TempDir Path tmp) throws Exception {
        Path dir = copy(tmp);
        Path backends = dir.resolve("routes/mcp-backends.camel.yaml");
        replace(backends, "value: slack-conversations", "value: slack_conversations!");
        replace(backends, "\"{{mcp.slack-conversations.url}}\"", "ftp:/nowhere");
        Files.writeString(backends, Files.readString(backends) + """

                - templatedRoute:
                    routeTemplateRef: mcp-backend
                    parameters:
                      - name: name
                        value: knowledge-base
                      - name: url
                        value: "{{mcp.knowledge-base.url}}"
                      - name: callTimout
                        value: 10s
                      - name: idleTimeout
                        value: soon
                      - name: headers
                        value: "Authorization: Bearer {{no.such.property}}"
                """);
        replace(dir.resolve("routes/auth.camel.yaml"), "rule: jwt.sub == null || jwt.email_verified == true",
                "rule: jwt.email endsWith");
        replace(dir.resolve("routes/observe.camel.yaml"), "body $.params.", "body $.params[[");
        Path llm = dir.resolve("routes/llm.camel.yaml");
        String vertexPath = Files.readAllLines(llm).stream().filter(l -> l.contains("vertexPath:")).findFirst()
                .orElseThrow();
        replace(llm, vertexPath, "        vertexPath: \"/v1/(?<project\"");
        Path providers = dir.resolve("routes/llm-providers.camel.yaml");
        replace(providers, "value: vertex-shared ", "value: vertex-sharde ");
        replace(providers, "- name: api\n        value: anthropic", "- name: api\n        value: antropic");
        replace(dir.resolve("config/application.properties"), "caravan.mcp.fan-out-timeout = 10s",
                "caravan.mcp.fan-out-timeout = ten seconds");

        Result r = validate(dir, "validate-broken");
        assertEquals(1, r.exit(), r.output());
        List<String> expected = List.of(
                at(dir, "config/application.properties", "caravan.mcp.fan-out-timeout =",
                        "caravan.mcp.fan-out-timeout: ten seconds is not a duration"),
                at(dir, "routes/auth.camel.yaml", "        rule: jwt.email endsWith",
                        "bean mcpUsers rule: rule \"jwt.email endsWith\""),
                at(dir, "routes/llm.camel.yaml", "vertexPath: \"",
                        "bean llmRequestCheck vertexPath: named capturing group is missing"),
                at(dir, "routes/observe.camel.yaml", "body $.params[[",
                        "bean mcpFields fields: field \"product = body $.params[["),
                at(dir, "routes/llm-providers.camel.yaml", "vertex-sharde",
                        "fallback vertex-sharde is not a declared llm-provider"),
                at(dir, "routes/llm-providers.camel.yaml", "antropic",
                        "llm-provider anthropic api: antropic is not one of [vertex, anthropic, openai]"),
                at(dir, "routes/mcp-backends.camel.yaml", "value: slack_conv",
                        "mcp-backend slack_conversations! name: \"slack_conversations!\" does not match"),
                at(dir, "routes/mcp-backends.camel.yaml", "value: ftp:",
                        "mcp-backend slack_conversations! url: ftp:/nowhere is not an http(s) URL with a host"),
                ": mcp-backend knowledge-base: the name is already declared at routes/mcp-backends.camel.yaml:",
                at(dir, "routes/mcp-backends.camel.yaml", "name: callTimout",
                        "mcp-backend knowledge-base: no parameter callTimout"),
                at(dir, "routes/mcp-backends.camel.yaml", "value: soon",
                        "mcp-backend knowledge-base idleTimeout: soon is not a duration"),
                at(dir, "routes/mcp-backends.camel.yaml", "no.such.property",
                        "mcp-backend knowledge-base headers: Property with key [no.such.property] not found"),
                "12 problems");
        for (String line : expected) {
            assertTrue(r.output().contains(line), "missing: " + line + "\n" + r.output());
        }
    }

    @Test
    void whatOnlyTheWholeGatewayShowsIsReportedAtTheStep(@TempDir Path tmp) throws Exception {
        Path dir = copy(tmp);
        Path gateway = dir.resolve("routes/gateway.camel.yaml");
        Files.writeString(gateway, Files.readString(gateway) + """

                - route:
                    id: audit
                    from:
                      uri: direct:audit
                      steps:
                        - log: "audit"
                        - process:
                            ref: auditWriter
                """);
        // the added route is the file's last: its step is the last "- process:" line
        Result r = validate(dir, "validate-route");
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains(atLast(dir, "routes/gateway.camel.yaml", "- process:",
                "route audit: No bean could be found in the registry for: auditWriter")), r.output());
    }

    @Test
    void aYamlSyntaxErrorIsReportedWhereItIs(@TempDir Path tmp) throws Exception {
        Path dir = copy(tmp);
        Path mcp = dir.resolve("routes/mcp.camel.yaml");
        Files.writeString(mcp, Files.readString(mcp) + "\n- route:\n    id: x\n   from: [\n");
        Result r = validate(dir, "validate-yaml");
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains(at(dir, "routes/mcp.camel.yaml", "   from: [", "not valid YAML")), r.output());
    }

    /** What validate prints for a problem on the first line of file containing text: "file:line: message". */
    private static String at(Path dir, String file, String text, String message) throws Exception {
        return file + ":" + lineOf(dir, file, text, false) + ": " + message;
    }

    /** The same, for the last line of file containing text. */
    private static String atLast(Path dir, String file, String text, String message) throws Exception {
        return file + ":" + lineOf(dir, file, text, true) + ": " + message;
    }

    /** The 1-based line of the first (or last) line containing text. */
    private static int lineOf(Path dir, String file, String text, boolean last) throws Exception {
        List<String> lines = Files.readAllLines(dir.resolve(file));
        int found = -1;
        for (int i = 0; i < lines.size() && (last || found < 0); i++) {
            if (lines.get(i).contains(text)) {
                found = i + 1;
            }
        }
        if (found < 0) {
            throw new AssertionError(file + " has no " + text);
        }
        return found;
    }
}
