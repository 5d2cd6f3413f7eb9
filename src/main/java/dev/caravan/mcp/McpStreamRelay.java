package dev.caravan.mcp;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

import dev.caravan.proxy.ResponseRelay;
import dev.caravan.proxy.SseParser;
import dev.caravan.proxy.UpstreamException;

/**
 * Relays a backend's SSE answer to one MCP request event by event, as it arrives: progress notifications, log
 * messages and the backend's own requests to the client (re-keyed) reach the client while the tool runs. A JSON
 * answer is not relayed but captured, so the route can rewrite it whole.
 */
final class McpStreamRelay implements ResponseRelay {

    /** events are JSON-RPC messages; one larger than this is treated as a broken backend */
    static final int MAX_EVENT_BYTES = 16 * 1024 * 1024;

    private final String backend;
    private final JsonRpc.Message request;
    private final String gatewaySessionId;
    private final BackendEvents events;

    McpStreamRelay(String backend, JsonRpc.Message request, String gatewaySessionId, boolean qualified,
                   UnaryOperator<JsonNode> clientIds, ModernRequest.Envelope modern) {
        this.backend = backend;
        this.request = request;
        this.gatewaySessionId = gatewaySessionId;
        this.events = new BackendEvents(backend, request, qualified, new LinkedHashMap<>(), clientIds, modern,
                null);
    }

    /** Headers of every SSE answer the gateway streams to a client. */
    static void streamHead(HttpServerResponse client, String gatewaySessionId) {
        client.setStatusCode(200);
        client.putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream");
        client.putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        if (gatewaySessionId != null) {
            client.putHeader(McpSessionCheck.HEADER, gatewaySessionId);
        }
    }

    static boolean isEventStream(int status, MultiMap headers) {
        String type = headers.get(HttpHeaders.CONTENT_TYPE);
        return status == 200 && type != null && type.startsWith("text/event-stream");
    }

    @Override
    public boolean relays(int status, MultiMap upstreamHeaders) {
        return isEventStream(status, upstreamHeaders);
    }

    @Override
    public void head(int status, MultiMap upstreamHeaders, HttpServerResponse client) {
        streamHead(client, gatewaySessionId);
    }

    @Override
    public Buffer chunk(Buffer data) {
        return events.feed(data);
    }

    @Override
    public void end(HttpServerResponse client) {
        // a stream that ends unanswered but gave event ids is one the client may resume (SSE polling)
        ResponseRelay.endWith(client, events.answered() || events.resumable() ? null
                : errorEvent(backend + ": closed the stream without answering"));
    }

    @Override
    public void fail(UpstreamException error, HttpServerResponse client) {
        ResponseRelay.endWith(client, events.answered() ? null : errorEvent(error.getMessage()));
    }

    @Override
    public Map<String, Object> traceAttributes() {
        JsonNode error = events.error();
        return error != null ? Map.of("rpc.jsonrpc.error_code", error.path("code").asLong(), "error.type", "rpc_error")
                : events.toolError() ? Map.of("error.type", "tool_error") : Map.of();
    }

    /** What the backend's answer said, for telemetry: see {@link BackendEvents#error()}. */
    BackendEvents events() {
        return events;
    }

    private Buffer errorEvent(String message) {
        return Buffer.buffer(SseParser.Event.data(JsonRpc.backendError(request.id(), backend, message).toString())
                .serialize());
    }
}
