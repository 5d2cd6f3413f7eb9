package dev.caravan.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Stateless MCP servers for the fan-out benchmark (bench/mcp-bench.sh): {@code count} servers on consecutive ports
 * from {@code basePort}, each listing {@code tools} tools; the one at {@code slowIndex} answers tools/list only after
 * {@code slowMillis} (and, with {@code slowFirstContact} true, initialize and server/discover too). They speak both
 * generations: initialize (2025-11-25) and server/discover (2026-07-28). One Vert.x process serves them all, cheaply,
 * so the benchmark measures the gateway rather than the fakes.
 * <p>
 * usage: FakeMcpBackends basePort count slowIndex slowMillis [tools [slowFirstContact]]
 */
public final class FakeMcpBackends {

    private FakeMcpBackends() {
    }

    public static void main(String[] args) {
        int basePort = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        int slowIndex = Integer.parseInt(args[2]);
        long slowMillis = Long.parseLong(args[3]);
        int toolCount = args.length > 4 ? Integer.parseInt(args[4]) : 20;
        boolean slowFirstContact = args.length > 5 && Boolean.parseBoolean(args[5]);
        Vertx vertx = Vertx.vertx();
        for (int i = 0; i < count; i++) {
            int index = i;
            JsonArray tools = new JsonArray();
            for (int t = 0; t < toolCount; t++) {
                tools.add(new JsonObject().put("name", "tool_" + t)
                        .put("description", "Benchmark tool " + t + " of server " + index)
                        .put("inputSchema", new JsonObject().put("type", "object")));
            }
            String listResult = new JsonObject().put("tools", tools).encode();
            vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> answer(vertx, req, body,
                    index == slowIndex ? slowMillis : 0, slowFirstContact, listResult))).listen(basePort + i,
                    "127.0.0.1");
        }
        System.out.println("fake MCP backends listening on " + basePort + ".." + (basePort + count - 1));
    }

    private static void answer(Vertx vertx, HttpServerRequest req, Buffer body, long delay, boolean slowFirstContact,
                               String listResult) {
        JsonObject msg = body.length() == 0 ? new JsonObject() : body.toJsonObject();
        Object id = msg.getValue("id");
        if (id == null) {
            req.response().setStatusCode(202).end();
            return;
        }
        String method = msg.getString("method", "");
        String result = switch (method) {
            case "initialize" -> new JsonObject()
                    .put("protocolVersion", msg.getJsonObject("params").getString("protocolVersion"))
                    .put("capabilities", new JsonObject().put("tools", new JsonObject()))
                    .put("serverInfo", new JsonObject().put("name", "fake").put("version", "1")).encode();
            case "server/discover" -> new JsonObject().put("resultType", "complete")
                    .put("supportedVersions", new JsonArray().add("2026-07-28"))
                    .put("capabilities", new JsonObject().put("tools", new JsonObject()))
                    .put("ttlMs", 0).put("cacheScope", "public")
                    .put("_meta", new JsonObject().put("io.modelcontextprotocol/serverInfo",
                            new JsonObject().put("name", "fake").put("version", "1"))).encode();
            case "tools/list" -> listResult;
            default -> "{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}";
        };
        String json = "{\"jsonrpc\":\"2.0\",\"id\":" + (id instanceof String s ? io.vertx.core.json.Json.encode(s) : String.valueOf(id)) + ",\"result\":" + result + "}";
        Runnable send = () -> req.response().putHeader("Content-Type", "application/json").end(json);
        boolean slow = "tools/list".equals(method) || slowFirstContact && ("initialize".equals(method)
                                                                          || "server/discover".equals(method));
        if (slow && delay > 0) {
            vertx.setTimer(delay, t -> send.run());
        } else {
            send.run();
        }
    }
}
