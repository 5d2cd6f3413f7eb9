package dev.caravan.proxy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * An error answer written by the HTTP layer itself, before any route understood the request (a body over the limit,
 * a method or path no listener serves, a request the router could not even decode, a gateway that is stopping). Its
 * shape is the one the path's API speaks, judged from the path alone by the {@link ErrorShape}s the kinds of traffic
 * registered (a JSON-RPC error on {@code /mcp}, the provider's error format on an LLM path), else the default shape
 * registered (the LLM package registers OpenAI's, the most widely understood).
 */
public final class EdgeRefusal {

    /** the shapes by who registered them (a name: registering again replaces, as a second context in a JVM does) */
    private static final Map<String, ErrorShape> SHAPES = new ConcurrentHashMap<>();
    private static volatile ErrorShape fallback;

    private EdgeRefusal() {
    }

    /** Adds the error shape of a kind of traffic, under a name. */
    public static void register(String name, ErrorShape shape) {
        SHAPES.put(name, shape);
    }

    /** The shape of a refusal on a path no registered shape claims. */
    public static void registerDefault(ErrorShape shape) {
        fallback = shape;
    }

    /** The error body for a refusal on {@code path}. */
    public static Buffer body(String path, int status, String message) {
        String p = path == null ? "" : path;
        for (ErrorShape shape : SHAPES.values()) {
            String json = shape.body(p, status, message);
            if (json != null) {
                return Buffer.buffer(json.getBytes(StandardCharsets.UTF_8));
            }
        }
        ErrorShape other = fallback;
        String json = other != null ? other.body(p, status, message)
                : new JsonObject().put("error", new JsonObject().put("message", message)).encode();
        return Buffer.buffer(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Answers with the refusal, unless an answer already started (then the connection is closed). */
    public static void send(HttpServerResponse response, String path, int status, String message) {
        if (response.headWritten()) {
            response.close();
            return;
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body(path, status, message));
    }
}
