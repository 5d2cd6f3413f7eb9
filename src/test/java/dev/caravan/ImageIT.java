package dev.caravan;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.caravan.support.DemoBackends;
import dev.caravan.support.GatewayProcess;
import dev.caravan.support.ManagedProcess;
import dev.caravan.support.McpHttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The container image the build leaves in target/caravan-image.tar (Jib, no Docker daemon): its configuration
 * (non-root user, entrypoint, working directory, ports), the files baked into it, its class data sharing archive
 * (made for the image's runtime and jars: its Java accepts it with -Xshare:on), and, where the test runs as root, the
 * image itself: its entrypoint started in its own root file system as its user, answering MCP requests with the
 * gateway's classes mapped from the archive.
 */
class ImageIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String run(Path dir, List<String> command) throws Exception {
        try (ManagedProcess p = ManagedProcess.start(command, dir, Map.of(), "image-" + Path.of(command.get(0))
                .getFileName(), line -> false)) {
            int exit = p.awaitExit(120);
            assertEquals(0, exit, command + ":\n" + p.output());
            return p.output();
        }
    }

    /** The real user id of a process, from /proc. */
    private static String uid(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")).stream()
                    .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow().split("\\s+")[1];
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theImageRunsTheGatewayAsANonRootUser(@TempDir Path tmp) throws Exception {
        Path tar = Path.of("target", "caravan-image.tar").toAbsolutePath();
        assertTrue(Files.isRegularFile(tar), "the build did not make " + tar);
        Path image = Files.createDirectories(tmp.resolve("image"));
        run(image, List.of("tar", "-xf", tar.toString()));
        JsonNode manifest = JSON.readTree(image.resolve("manifest.json").toFile()).get(0);
        JsonNode config = JSON.readTree(image.resolve(manifest.get("Config").asText()).toFile()).get("config");

        assertEquals("65532:65532", config.get("User").asText());
        assertEquals("/app/caravan", config.get("WorkingDir").asText());
        List<String> entrypoint = new ArrayList<>();
        config.get("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
        assertEquals(List.of("java", "-XX:SharedArchiveFile=/app/caravan.jsa", "-Xshare:auto",
                "-XX:MaxRAMPercentage=75", "-cp", "@/app/caravan.classpath", "dev.caravan.CaravanMain"), entrypoint);
        assertTrue(config.get("ExposedPorts").has("3000/tcp") && config.get("ExposedPorts").has("9876/tcp"),
                config::toString);
        assertTrue(config.get("Env").toString().contains("PATH=/opt/java/bin"), config::toString);

        Path root = Files.createDirectories(tmp.resolve("root"));
        for (JsonNode layer : manifest.get("Layers")) {
            run(root, List.of("tar", "--warning=no-unknown-keyword", "-xzf", image.resolve(layer.asText()).toString()));
        }
        for (String baked : List.of("app/caravan/routes/mcp.camel.yaml", "app/caravan/kamelets/mcp-backend.kamelet.yaml",
                "app/caravan/config/application.properties", "app/classpath/caravan.jar", "app/caravan.classpath",
                "app/caravan.jsa", "opt/java/bin/java", "opt/java/lib/server/classes.jsa",
                "lib64/ld-linux-x86-64.so.2")) {
            assertTrue(Files.exists(root.resolve(baked)), baked + " is not in the image");
        }
        assertTrue(Files.notExists(root.resolve("app/caravan/config/secrets")), "secrets must be mounted, not baked");
        assertTrue(Files.isExecutable(root.resolve("opt/java/bin/java")));
        // the class path is Jib's, relative to the working directory, as the archive needs (src/image/cds.sh)
        Path workingDir = root.resolve("app/caravan");
        List<String> classPath = List.of(Files.readString(root.resolve("app/caravan.classpath")).strip().split(":"));
        assertEquals(List.of(Files.readString(root.resolve("app/jib-classpath-file")).strip()
                .replace("/app/classpath/*", "/app/classpath/caravan.jar").replace("/app/", "../").split(":")),
                classPath);
        // the image's Java maps the archive with the image's jars (their paths, sizes and times), or refuses to start
        Path java = root.resolve("opt/java/bin/java");
        String version = run(workingDir, List.of(java.toString(), "-XX:SharedArchiveFile=" + root.resolve(
                "app/caravan.jsa"), "-Xshare:on", "-cp", "@" + root.resolve("app/caravan.classpath"), "-version"));
        assertTrue(version.contains("sharing"), version);

        // the image's entrypoint, in a root of its own as the image's user, serving the baked-in routes (needs root)
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "running the image needs root");
        Files.createDirectories(root.resolve("proc"));
        // what a container runtime provides: devices (/dev/urandom), name resolution
        Path dev = Files.createDirectories(root.resolve("dev"));
        run(root, List.of("mount", "--bind", "/dev", dev.toString()));
        Files.copy(Path.of("/etc/hosts"), root.resolve("etc/hosts"));
        if (Files.exists(Path.of("/etc/resolv.conf"))) {
            Files.copy(Path.of("/etc/resolv.conf"), root.resolve("etc/resolv.conf"));
        }
        List<String> command = new ArrayList<>(List.of("unshare", "--fork", "--pid", "--mount", "--mount-proc",
                "--root=" + root, "--wd=" + config.get("WorkingDir").asText(), "--setuid", "65532", "--setgid",
                "65532", "/opt/java/bin/java"));
        // the entrypoint, with the archive required and the source of every class loaded logged
        command.addAll(entrypoint.subList(1, entrypoint.indexOf("-cp")));
        command.addAll(List.of("-Xshare:on", "-Xlog:class+load=info:file=/tmp/class-load.log"));
        command.addAll(entrypoint.subList(entrypoint.indexOf("-cp"), entrypoint.size()));
        GatewayProcess gateway = new GatewayProcess().command(command);
        try (gateway; DemoBackends backends = new DemoBackends(gateway)) {
            gateway.start("image-gateway", 120);
            McpHttp client = new McpHttp(gateway.port);
            client.initialize(McpHttp.LATEST);
            JsonNode tools = client.call("tools/list", null).at("/result/tools");
            assertEquals(3, tools.size(), tools::toString);
            List<String> uids = imageGateways(gateway.port).map(ph -> uid(ph.pid())).distinct().toList();
            assertEquals(List.of("65532"), uids, "the gateway's process runs as the image's user");
            List<String> loaded = Files.readAllLines(root.resolve("tmp/class-load.log"));
            assertTrue(loaded.stream().anyMatch(l -> l.endsWith(
                    " dev.caravan.CaravanMain source: shared objects file (top)")), "the gateway's own classes too");
            long mapped = loaded.stream().filter(l -> l.endsWith("source: shared objects file (top)")).count();
            long read = loaded.stream().filter(l -> l.contains("source: file:")).count();
            assertTrue(read * 20 < mapped, "classes read from jars: " + read + ", mapped from the archive: " + mapped);
        } finally {
            run(root, List.of("umount", dev.toString()));
        }
        // unshare forked the gateway; ending unshare alone left it running
        assertEquals(List.of(), imageGateways(gateway.port).map(ph -> ph.pid() + " " + ph.info().commandLine()
                .orElse("")).toList(), "left running after the test");
    }

    /** The processes of the image's entrypoint (as the host sees them) that this test started on {@code port}. */
    private static Stream<ProcessHandle> imageGateways(int port) {
        return ProcessHandle.allProcesses()
                .filter(ph -> ph.info().command().orElse("").endsWith("/opt/java/bin/java")
                              && ph.info().commandLine().orElse("").contains("@/app/caravan.classpath")
                              && environment(ph.pid()).contains("CARAVAN_HTTP_PORT=" + port));
    }

    /** A process's environment variables, from /proc; none once it is gone. */
    private static List<String> environment(long pid) {
        try {
            return List.of(new String(Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "environ")),
                    java.nio.charset.StandardCharsets.ISO_8859_1).split("\0"));
        } catch (java.io.IOException e) {
            return List.of();
        }
    }
}
