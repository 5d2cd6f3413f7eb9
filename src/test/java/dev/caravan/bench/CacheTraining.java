package dev.caravan.bench;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * The training run the build makes for the gateway's class data sharing archive (pom.xml, {@code cds} execution): it
 * starts the gateway command it is given, with its providers and MCP backends pointed at cheap upstreams in this
 * process, sends it real LLM (Anthropic Messages, streamed and not, OpenAI Chat) and MCP (initialize, tools/list,
 * tools/call) requests for a few seconds from several threads, then stops it with SIGTERM so the JVM writes what it
 * loaded. Ports are free ones, so builds side by side do not collide.
 * <p>
 * usage: CacheTraining seconds logFile java [flags...] -jar target/caravan.jar
 */
public final class CacheTraining {

    private static final String MESSAGE = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\","
            + "\"content\":\"train\"}]%s}";
    private static final String CHAT = "{\"model\":\"gpt-5\",\"messages\":[{\"role\":\"user\",\"content\":\"train\"}]}";
    private static final String INIT = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
            + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"training\",\"version\":\"1\"}}}";
    private static final String USAGE = "\"usage\":{\"input_tokens\":9,\"output_tokens\":3}";

    private CacheTraining() {
    }

    public static void main(String[] args) throws Exception {
        long seconds = Long.parseLong(args[0]);
        File log = new File(args[1]);
        List<String> command = Arrays.asList(args).subList(2, args.length);
        Vertx vertx = Vertx.vertx();
        HttpServer upstream = vertx.createHttpServer()
                .requestHandler(req -> req.body().onSuccess(body -> answer(req, body)))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
        String up = "http://127.0.0.1:" + upstream.actualPort();
        int gw = freePort();
        int mg = freePort();
        ProcessBuilder gateway = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log));
        // provider keys from the environment, should the build have none in config/secrets
        gateway.environment().putAll(java.util.Map.of("CARAVAN_SECRET_ANTHROPIC_API_KEY", "training",
                "CARAVAN_SECRET_OPENAI_API_KEY", "training"));
        gateway.environment().putAll(java.util.Map.of("CARAVAN_HTTP_PORT", String.valueOf(gw),
                "CARAVAN_MANAGEMENT_PORT", String.valueOf(mg), "CARAVAN_DEMO_ENABLED", "false",
                "CARAVAN_LLM_AUTH_MODE", "off", "CAMEL_MAIN_ROUTES_RELOAD_ENABLED", "false",
                "LLM_ANTHROPIC_URL", up, "LLM_OPENAI_URL", up,
                "MCP_KNOWLEDGE_BASE_URL", up + "/mcp", "MCP_SLACK_CONVERSATIONS_URL", up + "/mcp"));
        Process process = gateway.start();
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            awaitReady(client, process, "http://127.0.0.1:" + mg + "/observe/health/ready");
            long sent = drive(client, "http://127.0.0.1:" + gw, seconds);
            System.out.println("training: " + sent + " requests in " + seconds + " s");
        } finally {
            process.destroy();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            vertx.close();
        }
        if (process.exitValue() != 0 && process.exitValue() != 143) {
            throw new IllegalStateException("the gateway ended with " + process.exitValue() + ", see " + log);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void awaitReady(HttpClient client, Process process, String url) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the gateway ended before it was ready");
            }
            try {
                if (client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            process.waitFor(50, TimeUnit.MILLISECONDS);
        }
        throw new IllegalStateException("the gateway was not ready in 180 s");
    }

    /** Every kind of request, round and round from 8 threads, until the time is up; the number sent. */
    private static long drive(HttpClient client, String gateway, long seconds) throws Exception {
        String session = client.send(post(gateway + "/mcp", INIT, null), HttpResponse.BodyHandlers.discarding())
                .headers().firstValue("mcp-session-id").orElseThrow();
        client.send(post(gateway + "/mcp", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", session),
                HttpResponse.BodyHandlers.discarding());
        List<HttpRequest> round = new ArrayList<>(List.of(
                post(gateway + "/v1/messages", MESSAGE.formatted(""), null),
                post(gateway + "/v1/messages", MESSAGE.formatted(",\"stream\":true"), null),
                post(gateway + "/v1/chat/completions", CHAT, null),
                post(gateway + "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}", session),
                post(gateway + "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":"
                        + "\"knowledge-base_search\",\"arguments\":{\"query\":\"q\"}}}", session),
                post(gateway + "/mcp", INIT, null)));
        AtomicLong sent = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        for (int t = 0; t < 8; t++) {
            threads.submit(() -> {
                while (System.nanoTime() < end) {
                    for (HttpRequest request : round) {
                        client.send(request, HttpResponse.BodyHandlers.ofString());
                        sent.incrementAndGet();
                    }
                }
                return null;
            });
        }
        threads.shutdown();
        if (!threads.awaitTermination(seconds + 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("training requests did not finish");
        }
        return sent.get();
    }

    private static HttpRequest post(String url, String body, String session) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("x-api-key", "training").header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        return session == null ? b.build() : b.header("Mcp-Session-Id", session).build();
    }

    /** The upstreams: an Anthropic and OpenAI provider at /v1/..., an MCP server at /mcp. */
    private static void answer(HttpServerRequest req, Buffer body) {
        String text = body.toString();
        if (req.path().equals("/v1/messages") && text.contains("\"stream\":true")) {
            req.response().putHeader("Content-Type", "text/event-stream").end(
                    "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"type\":\"message\","
                    + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-6\",\"content\":[]," + USAGE + "}}\n\n"
                    + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                    + "{\"type\":\"text_delta\",\"text\":\"ok\"}}\n\n"
                    + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                    + "\"usage\":{\"output_tokens\":3}}\n\n"
                    + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        } else if (req.path().equals("/v1/messages")) {
            json(req, "{\"id\":\"m\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-6\","
                    + "\"content\":[{\"type\":\"text\",\"text\":\"ok\"}],\"stop_reason\":\"end_turn\"," + USAGE + "}");
        } else if (req.path().equals("/v1/chat/completions")) {
            json(req, "{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"gpt-5\",\"choices\":[{\"index\":0,"
                    + "\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}");
        } else {
            JsonObject message = text.isEmpty() ? new JsonObject() : new JsonObject(text);
            Object id = message.getValue("id");
            if (id == null) {
                req.response().setStatusCode(202).end();
                return;
            }
            String result = switch (message.getString("method", "")) {
                case "initialize" -> "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{\"tools\":{}},"
                        + "\"serverInfo\":{\"name\":\"training\",\"version\":\"1\"}}";
                case "tools/list" -> "{\"tools\":[{\"name\":\"search\",\"inputSchema\":{\"type\":\"object\"}}]}";
                default -> "{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}";
            };
            json(req, "{\"jsonrpc\":\"2.0\",\"id\":" + io.vertx.core.json.Json.encode(id) + ",\"result\":" + result + "}");
        }
    }

    private static void json(HttpServerRequest req, String json) {
        req.response().putHeader("Content-Type", "application/json").end(json);
    }
}
