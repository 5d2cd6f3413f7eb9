package dev.caravan;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.caravan.support.GatewayProcess;
import dev.caravan.support.Http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What Kubernetes relies on: readiness stays DOWN until every MCP backend was asked once (a backend that never answers
 * delays it by the fan-out timeout, no more), and SIGTERM lets a stream in flight finish while new requests are
 * refused, then the process exits once Camel has shut down.
 */
class GracefulIT {

    private static HttpResponse<String> ready(GatewayProcess gateway) {
        return Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.managementPort
                                                           + "/observe/health/ready")).build());
    }

    /** The status of a GET, 0 when the connection is refused. */
    private static int statusOf(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (java.io.IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void notReadyUntilEveryBackendWasAskedOnce() throws Exception {
        // accepts connections (the kernel does) and never answers
        try (ServerSocket silent = new ServerSocket(0);
             GatewayProcess gateway = new GatewayProcess()
                     .env("MCP_SLACK_CONVERSATIONS_URL", "http://127.0.0.1:" + silent.getLocalPort() + "/mcp")
                     .env("CARAVAN_MCP_FAN_OUT_TIMEOUT", "4s")
                     .env("CAMEL_HEALTH_EXPOSURELEVEL", "full")
                     .start("graceful-readiness")) {
            HttpResponse<String> first = ready(gateway);
            assertEquals(503, first.statusCode(), first.body());
            assertTrue(first.body().contains("first discovery of the MCP backends not done"), first.body());
            // polled as Kubernetes polls it
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            HttpResponse<String> now = first;
            while (now.statusCode() != 200 && System.nanoTime() < deadline) {
                Thread.sleep(200);
                now = ready(gateway);
            }
            assertEquals(200, now.statusCode(), now.body());
            assertTrue(gateway.output().contains("MCP backend slack-conversations at startup: failed"),
                    gateway.output());
        }
    }

    @Test
    void sigtermLetsTheStreamInFlightFinish() throws Exception {
        try (GatewayProcess gateway = new GatewayProcess().env("CARAVAN_DEMO_LLM_CHUNK_DELAY", "250ms")
                .start("graceful-sigterm")) {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest stream = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port
                                                                   + "/v1/messages"))
                    .header("Content-Type", "application/json").header("anthropic-version", "2023-06-01")
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"model":"claude-sonnet-4-6","max_tokens":200,"stream":true,
                             "messages":[{"role":"user","content":"Tell me about graceful shutdown"}]}"""))
                    .build();
            HttpResponse<Stream<String>> r = http.send(stream, HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, r.statusCode());
            List<String> lines = new ArrayList<>();
            try (Stream<String> body = r.body()) {
                Iterator<String> it = body.iterator();
                while (it.hasNext()) {
                    String line = it.next();
                    lines.add(line);
                    if (line.contains("content_block_delta") && lines.stream().filter(l -> l.contains("content_block_delta")).count() == 1) {
                        var stopping = gateway.nextLine(l -> l.contains("inflight and pending exchanges to complete"));
                        gateway.terminate();
                        stopping.get(10, java.util.concurrent.TimeUnit.SECONDS);
                        // the listener no longer takes new work while the stream goes on: 503, retry elsewhere
                        assertEquals(503, statusOf(http, "http://127.0.0.1:" + gateway.port + "/v1/models"));
                    }
                }
            }
            assertTrue(lines.stream().anyMatch(l -> l.contains("\"type\":\"message_stop\"")),
                    "the stream did not complete: " + lines);
            // 143 = ended by SIGTERM (the JVM's code for it), after Camel shut down within its grace period
            assertEquals(143, gateway.awaitExit(40), gateway.output());
            assertTrue(gateway.output().contains("(caravan) shutdown in"), gateway.output());
            assertFalse(gateway.output().contains("Timeout occurred during graceful shutdown"), gateway.output());
        }
    }
}
