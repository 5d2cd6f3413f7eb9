package dev.caravan.example;

import java.util.List;
import java.util.stream.StreamSupport;

import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.caravan.CaravanConfiguration;
import dev.caravan.demo.DemoConfiguration;
import dev.caravan.support.DemoTokens;
import dev.caravan.support.McpHttp;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How to test your own gateway configuration before it goes live: this starts the real {@code routes/},
 * {@code kamelets/} and {@code config/} in the test JVM (camel-test-main-junit5) on free ports and asks it what your
 * agents would. Copy the class and write down what your configuration promises: which backends make up the virtual
 * MCP server, who gets in, which provider an organization reaches. Point {@code mcp.<backend>.url} at a test server
 * with a system property when your backends are not the demo's. ({@code java -jar target/caravan.jar validate}
 * catches what is malformed; a test like this catches what is well-formed but not what you meant.)
 */
@CamelMainTest(configurationClasses = {CaravanConfiguration.class, DemoConfiguration.class},
               propertyPlaceholderLocations = {"file:config/demo.properties", "file:config/application.properties"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayConfigExampleTest {

    private static final int PORT = TestPorts.configureGateway();

    @BeanInject
    CamelContext context;

    @Test
    void everyDeclaredBackendContributesTools() {
        List<String> backends = context.getRoutes().stream().filter(r -> "mcp-backends".equals(r.getGroup()))
                .map(Route::getRouteId).toList();
        assertEquals(List.of("knowledge-base", "slack-conversations"), backends.stream().sorted().toList());

        McpHttp agent = new McpHttp(PORT, DemoTokens.token("email=dev@example.com"));
        agent.initialize(McpHttp.LATEST);
        List<String> tools = StreamSupport.stream(agent.call("tools/list", null).at("/result/tools").spliterator(),
                false).map(t -> t.get("name").asText()).toList();
        for (String backend : backends) {
            assertTrue(tools.stream().anyMatch(t -> t.startsWith(backend + "_")), backend + " has no tools: " + tools);
        }
    }

    @Test
    void onlyVerifiedEmailsGetIn() {
        String ping = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
        assertEquals(403, new McpHttp(PORT, DemoTokens.token("email=eve@example.com&email_verified=false"))
                .post(ping).statusCode());
        McpHttp verified = new McpHttp(PORT, DemoTokens.token("email=dev@example.com"));
        verified.initialize(McpHttp.LATEST);
        assertEquals(200, verified.post(ping).statusCode());
    }
}
