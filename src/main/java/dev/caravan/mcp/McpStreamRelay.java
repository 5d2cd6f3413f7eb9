package dev.caravan.mcp;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

import dev.caravan.proxy.ResponseRelay;
import dev.caravan.proxy.SseParser;
import dev.caravan.proxy.UpstreamException;

/**
 * Relays a backend's SSE answer to one MCP request event by event, as it arrives: progress notifications and log
 * messages reach the client while the tool runs. Each JSON-RPC message is rewritten on the way (resource URIs
 * qualified with the backend name). A JSON answer is not relayed but captured, so the route can rewrite it whole.
 */
final class McpStreamRelay implements ResponseRelay {

    /** events are JSON-RPC messages; one larger than this is treated as a broken backend */
    private static final int MAX_EVENT_BYTES = 16 * 1024 * 1024;

    private final String backend;
    private final JsonRpc.Message request;
    private final String gatewaySessionId;
    private final SseParser parser;
    private Buffer pending = Buffer.buffer();
    private boolean answered;
    private boolean resumable;

    McpStreamRelay(String backend, JsonRpc.Message request, String gatewaySessionId) {
        this.backend = backend;
        this.request = request;
        this.gatewaySessionId = gatewaySessionId;
        this.parser = new SseParser(this::onEvent, MAX_EVENT_BYTES);
    }

    @Override
    public boolean relays(int status, MultiMap upstreamHeaders) {
        String type = upstreamHeaders.get(HttpHeaders.CONTENT_TYPE);
        return status == 200 && type != null && type.startsWith("text/event-stream");
    }

    @Override
    public void head(int status, MultiMap upstreamHeaders, HttpServerResponse client) {
        client.setStatusCode(200);
        client.putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream");
        client.putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        if (gatewaySessionId != null) {
            client.putHeader(McpSessionCheck.HEADER, gatewaySessionId);
        }
    }

    @Override
    public Buffer chunk(Buffer data) {
        parser.feed(data);
        Buffer out = pending;
        pending = Buffer.buffer();
        return out;
    }

    private void onEvent(SseParser.Event event) {
        if (event.id() != null || event.retry() != null) {
            resumable = true;
        }
        if (event.data() == null || event.data().isEmpty()) {
            pending.appendString(event.serialize());
            return;
        }
        JsonNode message;
        try {
            message = JsonRpc.MAPPER.readTree(event.data());
        } catch (IOException e) {
            throw new IllegalStateException("backend sent an event that is not JSON");
        }
        if (message instanceof ObjectNode o && o.has("id") && !o.has("method") && o.get("id").equals(request.id())) {
            answered = true;
            McpNames.qualifyResourceUris(backend, request.method(), o);
        } else if (message instanceof ObjectNode o) {
            McpNames.qualifyResourceUris(backend, null, o);
        }
        pending.appendString(new SseParser.Event(event.id(), event.event(), message.toString(), event.retry(), null)
                .serialize());
    }

    @Override
    public Buffer end() {
        if (answered || resumable) {
            return null;
        }
        return errorEvent(backend + ": closed the stream without answering");
    }

    @Override
    public Buffer fail(UpstreamException error) {
        return answered ? null : errorEvent(error.getMessage());
    }

    private Buffer errorEvent(String message) {
        return Buffer.buffer(SseParser.Event.data(JsonRpc.backendError(request.id(), backend, message).toString())
                .serialize());
    }
}
