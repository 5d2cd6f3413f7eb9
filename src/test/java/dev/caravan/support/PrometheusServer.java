package dev.caravan.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A real Prometheus (the Debian package {@code prometheus}, which {@code .ci/run} installs) scraping a gateway's
 * management port with the repository's {@code config/prometheus/prometheus.yml}, every second, and its HTTP API.
 */
public final class PrometheusServer implements AutoCloseable {

    public final int port;
    private final ManagedProcess process;

    private PrometheusServer(int port, ManagedProcess process) {
        this.port = port;
        this.process = process;
    }

    /** Starts Prometheus scraping 127.0.0.1:{@code managementPort} and waits until it serves queries. */
    public static PrometheusServer scraping(int managementPort) throws Exception {
        String binary = System.getenv().getOrDefault("PROMETHEUS", "prometheus");
        if (!onPath(binary)) {
            throw new IllegalStateException("no " + binary + " on PATH: install the Debian package prometheus "
                                            + "(.ci/run does) or set PROMETHEUS to its binary");
        }
        Path dir = Files.createTempDirectory(Path.of("target"), "prometheus");
        String config = Files.readString(Path.of("config", "prometheus", "prometheus.yml"))
                .replace("127.0.0.1:9876", "127.0.0.1:" + managementPort)
                .replace("scrape_interval: 15s", "scrape_interval: 1s");
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, config);
        int port = TestPorts.free();
        ManagedProcess process = ManagedProcess.start(List.of(binary, "--config.file=" + file.toAbsolutePath(),
                        "--storage.tsdb.path=" + dir.resolve("data").toAbsolutePath(),
                        "--web.listen-address=127.0.0.1:" + port), Path.of("."), Map.of(), "prometheus",
                line -> line.contains("Server is ready to receive web requests"));
        try {
            process.awaitLine(60);
        } catch (Exception e) {
            process.close();
            throw e;
        }
        return new PrometheusServer(port, process);
    }

    private static boolean onPath(String binary) {
        if (binary.contains("/")) {
            return Files.isExecutable(Path.of(binary));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, binary))) {
                return true;
            }
        }
        return false;
    }

    /** An instant query: the {@code data} object of the answer; fails when Prometheus reports an error. */
    public JsonNode query(String promql) {
        HttpResponse<String> r = Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build());
        try {
            JsonNode answer = McpHttp.JSON.readTree(r.body());
            if (r.statusCode() != 200 || !"success".equals(answer.path("status").asText())) {
                throw new AssertionError("Prometheus refused " + promql + ": " + r.statusCode() + " " + r.body());
            }
            return answer.get("data");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What Prometheus logged so far, for failure messages. */
    public String output() {
        return process.output();
    }

    @Override
    public void close() throws Exception {
        process.close();
    }
}
