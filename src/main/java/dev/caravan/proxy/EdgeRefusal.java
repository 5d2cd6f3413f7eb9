package dev.caravan.proxy;

import java.nio.charset.StandardCharsets;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import dev.caravan.llm.LlmApi;
import dev.caravan.llm.LlmErrors;
import dev.caravan.mcp.JsonRpc;

/**
 * An error answer written by the HTTP layer itself, before any route understood the request (a body over the limit,
 * a method or path no listener serves, a request the router could not even decode, a gateway that is stopping). Its
 * shape is the one the path's API speaks, judged from the path alone: a JSON-RPC error on {@code /mcp}, the provider's
 * error format on an LLM path ({@link LlmApi#ofPath}), OpenAI's format (the most widely understood) anywhere else.
 */
public final class EdgeRefusal {

    private EdgeRefusal() {
    }

    /** The error body for a refusal on {@code path}. */
    public static Buffer body(String path, int status, String message) {
        path = path == null ? "" : path;
        String json;
        if (path.equals("/mcp") || path.startsWith("/mcp/")) {
            json = JsonRpc.error(null, status == 413 ? JsonRpc.INVALID_REQUEST : JsonRpc.SERVER_ERROR, message)
                    .toString();
        } else {
            LlmApi api = LlmApi.ofPath(path);
            json = LlmErrors.body(api == null ? LlmApi.ErrorShape.OPENAI : api.errors(), status, message).toString();
        }
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
