package dev.caravan;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import dev.caravan.support.GatewayProcess;
import dev.caravan.support.McpHttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backends added, changed and removed in the route files of a running gateway: new sessions see the change within
 * about a second, a stream running on a backend whose block changes still completes, and a broken file is refused
 * while the previous configuration keeps serving.
 */
class HotReloadIT {

    private static final String KB2 = """
            - templatedRoute:
                routeTemplateRef: mcp-backend
                parameters:
                  - name: name
                    value: kb2
                  - name: url
                    value: "{{mcp.knowledge-base.url}}"
            """;

    /** Writes a route file the way an editor saves it: the whole content at once. */
    private static void save(Path file, String content) throws Exception {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static List<String> tools(int port) {
        McpHttp c = new McpHttp(port);
        c.initialize(McpHttp.LATEST);
        return StreamSupport.stream(c.call("tools/list", null).at("/result/tools").spliterator(), false)
                .map(t -> t.get("name").asText()).toList();
    }

    @Test
    void routeFileChangesTakeEffectWhileTheGatewayRuns() throws Exception {
        Path routes = Path.of("target", "hot-reload-routes").toAbsolutePath();
        if (Files.exists(routes)) {
            try (Stream<Path> old = Files.list(routes)) {
                for (Path p : old.toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(routes);
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path f : files.toList()) {
                Files.copy(f, routes.resolve(f.getFileName()));
            }
        }
        try (GatewayProcess gateway = new GatewayProcess()
                .env("CAMEL_MAIN_ROUTES_RELOAD_ENABLED", "true")
                .env("CAMEL_MAIN_ROUTES_RELOAD_DIRECTORY", routes.toString())
                .env("CAMEL_MAIN_ROUTES_INCLUDE_PATTERN", "file:" + routes + "/*.camel.yaml,file:kamelets/*.kamelet.yaml")
                .start("gateway-hot-reload")) {
            // a two-second stream on slack-conversations, running across the reloads below
            McpHttp streaming = new McpHttp(gateway.port);
            streaming.initialize(McpHttp.LATEST);
            CompletableFuture<List<McpHttp.TimedData>> stream = CompletableFuture.supplyAsync(() -> streaming.stream(
                    "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":"
                    + "\"slack-conversations_summarize_channel\",\"_meta\":{\"progressToken\":\"hot\"},"
                    + "\"arguments\":{\"channel\":\"support\",\"steps\":8,\"stepMillis\":250}}}"));

            // add a backend
            CompletableFuture<String> reloaded = gateway.nextLine(l -> l.contains("Routes reloaded summary"));
            long start = System.nanoTime();
            save(routes.resolve("extra.camel.yaml"), KB2);
            reloaded.get(10, TimeUnit.SECONDS);
            long reloadMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tools(gateway.port).contains("kb2_search_docs"));
            assertTrue(reloadMillis < 3000, "reload took " + reloadMillis + " ms");

            // change the block of the backend the stream is running on
            reloaded = gateway.nextLine(l -> l.contains("Routes reloaded summary"));
            Path backends = routes.resolve("mcp-backends.camel.yaml");
            String declared = Files.readString(backends);
            int slack = declared.indexOf("value: slack-conversations");
            CompletableFuture<String> replaced = gateway.nextLine(l -> l.contains("Started slack-conversations"));
            save(backends, declared.substring(0, slack)
                           + declared.substring(slack).replace("{{mcp.backend-timeout}}", "299s"));
            reloaded.get(10, TimeUnit.SECONDS);
            replaced.get(10, TimeUnit.SECONDS);

            // a broken file is refused; everything declared before keeps serving
            CompletableFuture<String> refused = gateway.nextLine(l -> l.contains("Error reloading routes"));
            save(routes.resolve("broken.camel.yaml"), "- templatedRoute: [this is not\n");
            assertTrue(refused.get(10, TimeUnit.SECONDS).contains("broken.camel.yaml"));
            assertTrue(tools(gateway.port).containsAll(List.of("knowledge-base_search_docs",
                    "slack-conversations_search_messages", "kb2_search_docs")));
            Files.delete(routes.resolve("broken.camel.yaml"));

            // remove the added backend
            CompletableFuture<String> removed = gateway.nextLine(l -> l.contains("Route kb2 removed"));
            Files.delete(routes.resolve("extra.camel.yaml"));
            removed.get(10, TimeUnit.SECONDS);
            assertFalse(tools(gateway.port).contains("kb2_search_docs"));

            List<McpHttp.TimedData> events = stream.get(20, TimeUnit.SECONDS);
            JsonNode last = events.get(events.size() - 1).message();
            assertEquals(9, last.get("id").asInt(), events::toString);
            assertTrue(last.at("/result/content/0/text").asText().startsWith("#support"), last::toString);
            assertEquals(9, events.size(), "eight progress events and the result");
        }
    }
}
