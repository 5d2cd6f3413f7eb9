package dev.caravan;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import dev.caravan.support.GatewayProcess;
import dev.caravan.support.ManagedProcess;
import dev.caravan.support.McpHttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The traffic port while the packaged gateway starts, hammered from the moment the process starts: every answer
 * that arrives is a correct one or a JSON 503 with Retry-After — never Vert.x's HTML page, never a 404 for /mcp
 * because its route is not started yet. Once started, paths nobody serves get a JSON 404 (a method a path does not
 * take a JSON 405), the routes are not on the management port, and a taken port still fails the start.
 */
class StartupIT {

    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
            + "\"protocolVersion\":\"" + McpHttp.LATEST + "\",\"capabilities\":{},"
            + "\"clientInfo\":{\"name\":\"startup\",\"version\":\"1\"}}}";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofMillis(250)).build();

    /** What a probe expects once the gateway serves: its path, method, body and status. */
    private record Probe(String method, String path, String body, int served) {
        HttpRequest request(int port) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(20))
                    .header("Accept", "application/json, text/event-stream")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            return body == null ? b.build() : b.header("Content-Type", "application/json").build();
        }
    }

    private static final List<Probe> PROBES = List.of(
            new Probe("POST", "/mcp", INITIALIZE, 200),
            new Probe("GET", "/v1/models", null, 200),
            new Probe("GET", "/no/such/path", null, 404));

    /** The problem with an answer, or null when it is the served answer or a JSON 503 with Retry-After. */
    private static String problem(Probe probe, HttpResponse<String> r) {
        String type = r.headers().firstValue("Content-Type").orElse("");
        String what = probe.method() + " " + probe.path() + " -> " + r.statusCode() + " " + type + " " + r.body();
        if (r.body().toLowerCase().contains("<html") || type.contains("html")) {
            return "HTML: " + what;
        }
        if (r.statusCode() == 503) {
            return type.startsWith("application/json") && isJson(r.body())
                   && r.headers().firstValue("Retry-After").isPresent() ? null : "bad 503: " + what;
        }
        if (r.statusCode() != probe.served()) {
            return "unexpected status: " + what;
        }
        return type.startsWith("application/json") && isJson(r.body()) ? null : "not JSON: " + what;
    }

    private static boolean isJson(String body) {
        try {
            JsonNode node = McpHttp.JSON.readTree(body);
            return node != null && node.isObject();
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void theTrafficPortAnswersOnlyOnceItCanServe() throws Exception {
        try (GatewayProcess gateway = new GatewayProcess()) {
            ManagedProcess process = gateway.startUnchecked("startup-window");
            List<String> problems = new ArrayList<>();
            Map<String, Integer> seen = new TreeMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            // a tight loop of attempts from the first moment, until the gateway served 20 rounds
            for (int served = 0; served < 20; ) {
                assertTrue(System.nanoTime() < deadline, "not serving after 120 s: " + seen + "\n"
                                                        + process.output());
                for (Probe probe : PROBES) {
                    String outcome;
                    try {
                        HttpResponse<String> r = http.send(probe.request(gateway.port),
                                HttpResponse.BodyHandlers.ofString());
                        String problem = problem(probe, r);
                        if (problem != null) {
                            problems.add(problem);
                        }
                        outcome = probe.path() + " " + r.statusCode();
                        served += probe == PROBES.get(0) && r.statusCode() == 200 ? 1 : 0;
                    } catch (ConnectException | HttpConnectTimeoutException e) {
                        outcome = "not listening";
                    }
                    seen.merge(outcome, 1, Integer::sum);
                }
            }
            assertEquals(List.of(), problems.stream().distinct().limit(10).toList(), seen::toString);
            assertTrue(seen.getOrDefault("not listening", 0) > 0,
                    "the loop started after the port opened, so it proves nothing: " + seen);
        }
    }

    @Test
    void pathsNobodyServesGetJson() throws Exception {
        try (GatewayProcess gateway = new GatewayProcess().start("startup-unknown-paths")) {
            for (Probe probe : List.of(new Probe("GET", "/", null, 404), new Probe("GET", "/index.html", null, 404),
                    new Probe("POST", "/v1/nothing", "{}", 404), new Probe("GET", "/mcp/extra", null, 404),
                    new Probe("DELETE", "/v1/projects", null, 405), new Probe("PUT", "/mcp", "{}", 405))) {
                HttpResponse<String> r = http.send(probe.request(gateway.port), HttpResponse.BodyHandlers.ofString());
                assertEquals(probe.served(), r.statusCode(), probe + " " + r.body());
                assertEquals(null, problem(probe, r), probe::toString);
            }
            // the routes are the traffic port's only, never the management port's
            HttpResponse<String> management = http.send(new Probe("GET", "/v1/models", null, 404)
                    .request(gateway.managementPort), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, management.statusCode(), management.body());
        }
    }

    @Test
    void aTakenTrafficPortFailsTheStart() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            GatewayProcess gateway = new GatewayProcess();
            taken.bind(new java.net.InetSocketAddress("0.0.0.0", gateway.port));
            try (gateway) {
                ManagedProcess process = gateway.startUnchecked("startup-port-taken");
                assertEquals(1, process.awaitExit(60), process.output());
                assertTrue(process.output().contains("port " + gateway.port + " (camel.server.port)"),
                        process.output());
            }
        }
    }
}
