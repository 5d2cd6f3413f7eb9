package dev.caravan;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import dev.caravan.support.DemoBackends;
import dev.caravan.support.GatewayProcess;
import dev.caravan.support.McpHttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Run with Camel JBang": {@code bin/camel run} of the route files, kamelets and properties with the
 * product jar on its classpath serves the same virtual MCP server as {@code java -jar}, here in front of the demo's
 * MCP servers (run by the test: the product carries none).
 */
class CamelJBangIT {

    private static List<String> files(String dir, String suffix) throws Exception {
        try (Stream<Path> files = Files.list(Path.of(dir))) {
            return files.map(Path::toString).filter(f -> f.endsWith(suffix)).sorted().toList();
        }
    }

    @Test
    void camelRunServesTheDemoBackends() throws Exception {
        List<String> command = new ArrayList<>(List.of("bin/camel", "run"));
        command.addAll(files("routes", ".camel.yaml"));
        command.addAll(files("kamelets", ".kamelet.yaml"));
        command.addAll(List.of("config/application.properties", "config/camel-jbang.properties",
                "target/caravan.jar", "--logging-color=false"));
        // the first run resolves Camel JBang's classpath with Maven
        GatewayProcess gateway = new GatewayProcess().command(command);
        try (gateway; DemoBackends backends = new DemoBackends(gateway)) {
            gateway.start("camel-jbang", 300);
            assertTrue(gateway.output().contains("Apache Camel (JBang)"), "not started by camel run");
            McpHttp client = new McpHttp(gateway.port);
            client.initialize(McpHttp.LATEST);
            List<String> tools = StreamSupport.stream(client.call("tools/list", null).at("/result/tools")
                    .spliterator(), false).map(t -> t.get("name").asText()).toList();
            assertEquals(List.of("knowledge-base_search_docs", "slack-conversations_search_messages",
                    "slack-conversations_summarize_channel"), tools);
            JsonNode call = client.call("tools/call",
                    "{\"name\":\"knowledge-base_search_docs\",\"arguments\":{\"query\":\"timeouts\"}}");
            assertEquals("text", call.at("/result/content/0/type").asText(), call::toString);
        }
    }
}
