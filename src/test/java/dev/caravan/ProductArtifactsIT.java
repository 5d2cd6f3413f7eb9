package dev.caravan;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.caravan.support.GatewayProcess;
import dev.caravan.support.ManagedProcess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The product apart from the demo: {@code target/caravan.jar}, {@code target/lib} and the image hold no demo class or
 * data, no MCP SDK or Jetty (the demo's libraries, in {@code target/demo-lib}) and no key file; the product jar starts
 * and serves without starting a demo server; {@code target/caravan-demo.jar} is what brings them.
 */
class ProductArtifactsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TARGET = Path.of("target").toAbsolutePath();
    private static final String GATEWAY_JAR = "app/classpath/caravan.jar";

    /** What the product must not carry, as path parts (entries of a jar or of the image). */
    private static List<String> demoParts(String path) {
        List<String> found = new ArrayList<>();
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (path.contains("dev/caravan/demo/") || path.startsWith("demo/") || path.contains("/demo/")) {
            found.add(path + " (demo class or data)");
        }
        if (name.matches("(mcp|mcp-core|mcp-json-.*|jetty-.*|reactor-core|json-schema-validator)-[0-9].*\\.jar")) {
            found.add(path + " (a library only the demo needs)");
        }
        if (name.endsWith("-api-key") || name.equals("demo.properties") || path.contains("demo-secrets")) {
            found.add(path + " (demo key or configuration)");
        }
        return found;
    }

    private static List<String> demoPartsIn(Stream<String> paths) {
        return paths.flatMap(p -> demoParts(p).stream()).toList();
    }

    @Test
    void theProductJarAndItsLibrariesCarryNoDemo() throws Exception {
        try (JarFile jar = new JarFile(TARGET.resolve("caravan.jar").toFile())) {
            assertTrue(jar.getEntry("dev/caravan/CaravanMain.class") != null, "not the gateway's jar");
            assertEquals(List.of(), demoPartsIn(jar.stream().map(e -> e.getName())));
            String classPath = jar.getManifest().getMainAttributes().getValue("Class-Path");
            assertEquals(List.of(), demoPartsIn(Arrays.stream(classPath.split(" "))));
        }
        try (Stream<Path> lib = Files.list(TARGET.resolve("lib"))) {
            List<String> jars = lib.map(p -> "lib/" + p.getFileName()).toList();
            assertTrue(jars.stream().anyMatch(j -> j.startsWith("lib/camel-main-")), jars::toString);
            assertEquals(List.of(), demoPartsIn(jars.stream()));
        }
        // the check sees them where they belong
        try (JarFile demo = new JarFile(TARGET.resolve("caravan-demo.jar").toFile());
             Stream<Path> demoLib = Files.list(TARGET.resolve("demo-lib"))) {
            assertFalse(demoPartsIn(demo.stream().map(e -> e.getName())).isEmpty());
            assertFalse(demoPartsIn(demoLib.map(p -> "demo-lib/" + p.getFileName())).isEmpty());
        }
    }

    @Test
    void theImageCarriesNoDemo(@TempDir Path tmp) throws Exception {
        Path tar = TARGET.resolve("caravan-image.tar");
        assertTrue(Files.isRegularFile(tar), "the build did not make " + tar);
        tar(tmp, "-xf", tar.toString());
        JsonNode manifest = JSON.readTree(tmp.resolve("manifest.json").toFile()).get(0);
        List<String> files = new ArrayList<>();
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        for (JsonNode layer : manifest.get("Layers")) {
            List<String> layerFiles = tar(tmp, "--warning=no-unknown-keyword", "-tzf",
                    tmp.resolve(layer.asText()).toString());
            files.addAll(layerFiles);
            if (layerFiles.contains(GATEWAY_JAR)) {
                tar(classes, "--warning=no-unknown-keyword", "-xzf", tmp.resolve(layer.asText()).toString(),
                        GATEWAY_JAR);
            }
        }
        // the gateway's classes are in a jar, as the image's class data sharing archive needs
        try (JarFile jar = new JarFile(classes.resolve(GATEWAY_JAR).toFile())) {
            assertTrue(jar.getEntry("dev/caravan/CaravanMain.class") != null, "not the gateway");
            jar.stream().map(e -> GATEWAY_JAR + "!/" + e.getName()).forEach(files::add);
        }
        assertTrue(files.stream().anyMatch(f -> f.matches(".*app/libs/camel-main-.*\\.jar")), "no libraries");
        assertEquals(List.of(), demoPartsIn(files.stream()));
    }

    @Test
    void theProductStartsWithoutDemoServers() throws Exception {
        try (GatewayProcess gateway = new GatewayProcess().product().start("product")) {
            assertFalse(gateway.output().contains("dev.caravan.demo") || gateway.output().contains("Demo "),
                    gateway::output);
            for (int port : List.of(gateway.knowledgeBasePort, gateway.slackPort, gateway.issuerPort)) {
                assertFalse(listening(port), "something listens on demo port " + port);
            }
        }
    }

    private static boolean listening(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static List<String> tar(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("tar"));
        Collections.addAll(command, args);
        try (ManagedProcess p = ManagedProcess.start(command, dir, Map.of(), "artifacts-tar", line -> false)) {
            assertEquals(0, p.awaitExit(120), p.output());
            return p.output().lines().toList();
        }
    }
}
