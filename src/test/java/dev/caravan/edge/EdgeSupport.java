package dev.caravan.edge;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.JsonNode;

import dev.caravan.support.McpHttp;
import dev.caravan.support.ScriptedMcpServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the edge tests share: the recording MCP backend, and the error shape each API's clients expect. */
final class EdgeSupport {

    private EdgeSupport() {
    }

    /** A scripted MCP server whose "ok" backend (test-routes/edge-backends.camel.yaml) records what it gets. */
    static ScriptedMcpServer scriptedBackend() {
        return ScriptedMcpServer.startedAt("test.scripted.url");
    }

    static JsonNode json(String body) {
        try {
            return McpHttp.JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Asserts that an error body has the shape of {@code api}: anthropic {@code {"type":"error","error":{"type",
     * "message"}}}, openai {@code {"error":{"message","type","code"}}}, google {@code {"error":{"code","message",
     * "status"}}}, mcp a JSON-RPC 2.0 error.
     */
    static void assertShape(String api, int status, String body) {
        JsonNode json = json(body);
        JsonNode error = json.get("error");
        assertTrue(error != null && error.isObject(), () -> api + " error expected: " + body);
        switch (api) {
            case "anthropic" -> {
                assertEquals("error", json.path("type").asText(), body);
                assertTrue(error.path("type").isTextual() && error.path("message").isTextual(), body);
                assertEquals(2, json.size(), body);
            }
            case "openai" -> {
                assertTrue(error.path("message").isTextual() && error.path("type").isTextual() && error.has("code"),
                        body);
                assertEquals(1, json.size(), body);
            }
            case "google" -> {
                assertEquals(status, error.path("code").asInt(), body);
                assertTrue(error.path("message").isTextual() && error.path("status").isTextual(), body);
                assertEquals(1, json.size(), body);
            }
            case "mcp" -> {
                assertEquals("2.0", json.path("jsonrpc").asText(), body);
                assertTrue(json.has("id") && error.path("code").isInt() && error.path("message").isTextual(), body);
            }
            default -> throw new IllegalArgumentException(api);
        }
    }
}
