package dev.caravan.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A stand-in for the LLM providers (there is no internet here), speaking their wire formats exactly, streams included:
 * Vertex AI for Anthropic ({@code rawPredict}, {@code streamRawPredict}) and Gemini ({@code generateContent},
 * {@code streamGenerateContent}, with and without {@code alt=sse}) models, the Anthropic Messages API, and the OpenAI
 * Chat Completions, Responses and Models APIs; plus the Google token endpoints Vertex AI credentials come from (a
 * service account's {@code token_uri} and the metadata server). Streams send their events {@code chunkDelayMillis}
 * apart, like a model generating.
 * <p>
 * Like the real ones it refuses a request without a credential: a Google access token it issued itself on Vertex AI
 * paths, an {@code x-api-key} on the Anthropic API, {@code Authorization: Bearer} on OpenAI's. Usage is
 * deterministic: input tokens are the request body's length / 4 (up to 1024 of them, at most half, read from the
 * prompt cache when the request asks for caching), output tokens the words of the answer. The latest thousand
 * requests are kept ({@link #requests()}) for tests to check what the gateway sent, credentials included.
 */
public final class StubLlmProvider {

    /** A request the stub received; {@code body} is null when it was not JSON. */
    public record Received(String method, String path, MultiMap headers, String text, JsonObject body) {
    }

    private static final Pattern VERTEX = Pattern.compile(
            "/v1(?:beta1)?/projects/([^/]+)/locations/([^/]+)/publishers/(anthropic|google)/models/([^/:]+):(\\w+)");
    private static final String METADATA_PATH = "/computeMetadata/v1/instance/service-accounts/default/token";

    private final Vertx vertx;
    private final long chunkDelayMillis;
    private final Set<String> issuedTokens = ConcurrentHashMap.newKeySet();
    /** the latest requests, bounded so that a long demo or a benchmark does not fill the heap */
    private final java.util.ArrayDeque<Received> requests = new java.util.ArrayDeque<>();
    private static final int KEPT_REQUESTS = 1000;
    private HttpServer server;

    public StubLlmProvider(Vertx vertx, long chunkDelayMillis) {
        this.vertx = vertx;
        this.chunkDelayMillis = chunkDelayMillis;
    }

    public Future<HttpServer> listen(int port) {
        return vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1").onSuccess(s -> server = s);
    }

    public int port() {
        return server.actualPort();
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    /** The latest requests received (up to a thousand), oldest first. */
    public List<Received> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(buffer -> {
            JsonObject body = buffer.length() == 0 ? null : parse(buffer);
            Received received = new Received(request.method().name(), request.uri(),
                    MultiMap.caseInsensitiveMultiMap().addAll(request.headers()), buffer.toString(), body);
            synchronized (requests) {
                if (requests.size() == KEPT_REQUESTS) {
                    requests.removeFirst();
                }
                requests.addLast(received);
            }
            try {
                route(request, body);
            } catch (RuntimeException e) {
                json(request.response(), 400, new JsonObject().put("error", new JsonObject()
                        .put("message", "stub could not read the request: " + e.getMessage())));
            }
        });
    }

    private static JsonObject parse(Buffer buffer) {
        try {
            return buffer.toJsonObject();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private void route(HttpServerRequest request, JsonObject body) {
        String path = request.path();
        HttpServerResponse response = request.response();
        if (path.equals("/token") || path.equals(METADATA_PATH)) {
            String token = "ya29.stub-" + UUID.randomUUID();
            issuedTokens.add(token);
            json(response, 200, new JsonObject().put("access_token", token).put("expires_in", 3599)
                    .put("token_type", "Bearer"));
            return;
        }
        Matcher vertex = VERTEX.matcher(path);
        if (vertex.matches()) {
            String bearer = bearer(request);
            if (bearer == null || !issuedTokens.contains(bearer)) {
                json(response, 401, new JsonObject().put("error", new JsonObject().put("code", 401)
                        .put("message", "Request had invalid authentication credentials.").put("status", "UNAUTHENTICATED")));
                return;
            }
            String model = vertex.group(4).replace("%40", "@");
            String action = vertex.group(5);
            if (vertex.group(3).equals("anthropic")) {
                anthropic(response, model, body, action.equals("streamRawPredict"));
            } else {
                gemini(response, model, body, action.startsWith("stream"), "sse".equals(request.getParam("alt")));
            }
            return;
        }
        switch (path) {
            case "/v1/messages" -> {
                String key = request.getHeader("x-api-key");
                if (key == null || key.isBlank()) {
                    json(response, 401, anthropicError("authentication_error", "invalid x-api-key"));
                } else {
                    anthropic(response, body.getString("model"), body, body.getBoolean("stream", false));
                }
            }
            case "/v1/chat/completions", "/v1/responses", "/v1/models" -> {
                String key = bearer(request);
                if (key == null || key.isBlank()) {
                    json(response, 401, new JsonObject().put("error", new JsonObject()
                            .put("message", "Incorrect API key provided.").put("type", "invalid_request_error")
                            .putNull("param").put("code", "invalid_api_key")));
                } else if (path.equals("/v1/models")) {
                    json(response, 200, new JsonObject().put("object", "list").put("data", new JsonArray()
                            .add(model("gpt-4o")).add(model("gpt-4.1")).add(model("gpt-5"))));
                } else if (path.equals("/v1/chat/completions")) {
                    chat(response, body);
                } else {
                    responses(response, body);
                }
            }
            default -> json(response, 404, new JsonObject().put("error", new JsonObject()
                    .put("message", "Unknown path " + path)));
        }
    }

    private static String bearer(HttpServerRequest request) {
        String authorization = request.getHeader("Authorization");
        return authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null;
    }

    // --- what the model says and what it costs ------------------------------------------------------------------

    /** The stub's answer: it repeats the gist of the last user message. */
    private static List<String> words(JsonObject body) {
        String said = lastUserText(body);
        if (said.length() > 60) {
            said = said.substring(0, 60) + "...";
        }
        String answer = "The Caravan stub provider heard: \"" + said + "\". Requests through the gateway are counted "
                        + "per user, organization and model.";
        List<String> words = new ArrayList<>();
        for (String w : answer.split(" ")) {
            words.add(words.isEmpty() ? w : " " + w);
        }
        return words;
    }

    private static String lastUserText(JsonObject body) {
        if (body == null) {
            return "";
        }
        Object input = body.getValue("input"); // Responses API
        if (input instanceof String s) {
            return s;
        }
        JsonArray messages = body.getJsonArray("messages", body.getJsonArray("contents", input instanceof JsonArray a
                ? a : new JsonArray()));
        String text = "";
        for (int i = 0; i < messages.size(); i++) {
            Object content = messages.getJsonObject(i).getValue("content", messages.getJsonObject(i).getValue("parts"));
            if (content instanceof String s) {
                text = s;
            } else if (content instanceof JsonArray parts) {
                for (int j = 0; j < parts.size(); j++) {
                    JsonObject part = parts.getJsonObject(j);
                    text = part.getString("text", text);
                }
            }
        }
        return text;
    }

    private record Tokens(long input, long cacheRead, long output) {
        long uncached() {
            return input - cacheRead;
        }
    }

    private static Tokens tokens(JsonObject body, List<String> words) {
        String text = body == null ? "" : body.encode();
        long input = Math.max(1, text.length() / 4);
        long cacheRead = text.contains("cache_control") ? Math.min(1024, input / 2) : 0;
        return new Tokens(input, cacheRead, words.size());
    }

    // --- Anthropic (Messages API and Vertex AI rawPredict) --------------------------------------------------------

    private void anthropic(HttpServerResponse response, String model, JsonObject body, boolean stream) {
        List<String> words = words(body);
        Tokens t = tokens(body, words);
        String id = "msg_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
        JsonObject usage = new JsonObject().put("input_tokens", t.uncached()).put("cache_creation_input_tokens", 0)
                .put("cache_read_input_tokens", t.cacheRead())
                .put("cache_creation", new JsonObject().put("ephemeral_5m_input_tokens", 0)
                        .put("ephemeral_1h_input_tokens", 0));
        if (!stream) {
            json(response, 200, new JsonObject().put("id", id).put("type", "message").put("role", "assistant")
                    .put("model", model).put("content", new JsonArray().add(new JsonObject().put("type", "text")
                            .put("text", String.join("", words)))).put("stop_reason", "end_turn").putNull("stop_sequence")
                    .put("usage", usage.copy().put("output_tokens", t.output()).put("service_tier", "standard")));
            return;
        }
        List<String> events = new ArrayList<>();
        events.add(sse("message_start", new JsonObject().put("type", "message_start").put("message", new JsonObject()
                .put("id", id).put("type", "message").put("role", "assistant").put("model", model)
                .put("content", new JsonArray()).putNull("stop_reason").putNull("stop_sequence")
                .put("usage", usage.copy().put("output_tokens", 1).put("service_tier", "standard")))));
        events.add(sse("content_block_start", new JsonObject().put("type", "content_block_start").put("index", 0)
                .put("content_block", new JsonObject().put("type", "text").put("text", ""))));
        events.add("event: ping\ndata: {\"type\": \"ping\"}\n\n");
        for (String w : words) {
            events.add(sse("content_block_delta", new JsonObject().put("type", "content_block_delta").put("index", 0)
                    .put("delta", new JsonObject().put("type", "text_delta").put("text", w))));
        }
        events.add(sse("content_block_stop", new JsonObject().put("type", "content_block_stop").put("index", 0)));
        events.add(sse("message_delta", new JsonObject().put("type", "message_delta")
                .put("delta", new JsonObject().put("stop_reason", "end_turn").putNull("stop_sequence"))
                .put("usage", new JsonObject().put("input_tokens", t.uncached()).put("cache_creation_input_tokens", 0)
                        .put("cache_read_input_tokens", t.cacheRead()).put("output_tokens", t.output()))));
        events.add(sse("message_stop", new JsonObject().put("type", "message_stop")));
        stream(response, "text/event-stream; charset=utf-8", events);
    }

    private static JsonObject anthropicError(String type, String message) {
        return new JsonObject().put("type", "error").put("error", new JsonObject().put("type", type)
                .put("message", message));
    }

    // --- Gemini on Vertex AI -----------------------------------------------------------------------------------

    private void gemini(HttpServerResponse response, String model, JsonObject body, boolean stream, boolean sse) {
        List<String> words = words(body);
        Tokens t = tokens(body, words);
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 23);
        if (!stream) {
            json(response, 200, geminiChunk(String.join("", words), true, t, t.output(), model, id));
            return;
        }
        List<String> events = new ArrayList<>();
        // two words per chunk, as Gemini streams phrases rather than tokens
        for (int i = 0; i < words.size(); i += 2) {
            boolean last = i + 2 >= words.size();
            JsonObject chunk = geminiChunk(String.join("", words.subList(i, Math.min(words.size(), i + 2))), last, t,
                    Math.min(words.size(), i + 2), model, id);
            events.add(sse ? "data: " + chunk.encode() + "\r\n\r\n"
                    : (i == 0 ? "[" : ",\r\n") + chunk.encodePrettily() + (last ? "]" : ""));
        }
        stream(response, sse ? "text/event-stream" : "application/json; charset=UTF-8", events);
    }

    private static JsonObject geminiChunk(String text, boolean last, Tokens t, long outputSoFar, String model, String id) {
        JsonObject candidate = new JsonObject().put("content", new JsonObject().put("role", "model")
                .put("parts", new JsonArray().add(new JsonObject().put("text", text))));
        if (last) {
            candidate.put("finishReason", "STOP");
        }
        JsonObject usage = new JsonObject().put("promptTokenCount", t.input()).put("candidatesTokenCount", outputSoFar)
                .put("totalTokenCount", t.input() + outputSoFar);
        if (t.cacheRead() > 0) {
            usage.put("cachedContentTokenCount", t.cacheRead());
        }
        return new JsonObject().put("candidates", new JsonArray().add(candidate)).put("usageMetadata", usage)
                .put("modelVersion", model).put("createTime", java.time.Instant.now().toString()).put("responseId", id);
    }

    // --- OpenAI -----------------------------------------------------------------------------------------------------

    private void chat(HttpServerResponse response, JsonObject body) {
        List<String> words = words(body);
        Tokens t = tokens(body, words);
        String model = body.getString("model");
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "").substring(0, 29);
        long created = System.currentTimeMillis() / 1000;
        JsonObject usage = new JsonObject().put("prompt_tokens", t.input()).put("completion_tokens", t.output())
                .put("total_tokens", t.input() + t.output())
                .put("prompt_tokens_details", new JsonObject().put("cached_tokens", t.cacheRead()).put("audio_tokens", 0))
                .put("completion_tokens_details", new JsonObject().put("reasoning_tokens", 0).put("audio_tokens", 0)
                        .put("accepted_prediction_tokens", 0).put("rejected_prediction_tokens", 0));
        if (!body.getBoolean("stream", false)) {
            json(response, 200, new JsonObject().put("id", id).put("object", "chat.completion").put("created", created)
                    .put("model", model).put("choices", new JsonArray().add(new JsonObject().put("index", 0)
                            .put("message", new JsonObject().put("role", "assistant").put("content", String.join("", words))
                                    .putNull("refusal").put("annotations", new JsonArray()))
                            .putNull("logprobs").put("finish_reason", "stop")))
                    .put("usage", usage).put("service_tier", "default").put("system_fingerprint", "fp_stub"));
            return;
        }
        boolean includeUsage = body.getJsonObject("stream_options", new JsonObject()).getBoolean("include_usage", false);
        Consumer<JsonObject> usageField = c -> {
            if (includeUsage) {
                c.putNull("usage");
            }
        };
        List<String> events = new ArrayList<>();
        JsonObject first = chunk(id, created, model, new JsonObject().put("role", "assistant").put("content", "")
                .putNull("refusal"), null);
        usageField.accept(first);
        events.add("data: " + first.encode() + "\n\n");
        for (String w : words) {
            JsonObject c = chunk(id, created, model, new JsonObject().put("content", w), null);
            usageField.accept(c);
            events.add("data: " + c.encode() + "\n\n");
        }
        JsonObject finish = chunk(id, created, model, new JsonObject(), "stop");
        usageField.accept(finish);
        events.add("data: " + finish.encode() + "\n\n");
        if (includeUsage) {
            events.add("data: " + new JsonObject().put("id", id).put("object", "chat.completion.chunk")
                    .put("created", created).put("model", model).put("service_tier", "default")
                    .put("system_fingerprint", "fp_stub").put("choices", new JsonArray()).put("usage", usage).encode()
                       + "\n\n");
        }
        events.add("data: [DONE]\n\n");
        stream(response, "text/event-stream; charset=utf-8", events);
    }

    private static JsonObject chunk(String id, long created, String model, JsonObject delta, String finish) {
        return new JsonObject().put("id", id).put("object", "chat.completion.chunk").put("created", created)
                .put("model", model).put("service_tier", "default").put("system_fingerprint", "fp_stub")
                .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("delta", delta)
                        .putNull("logprobs").put("finish_reason", finish)));
    }

    private void responses(HttpServerResponse response, JsonObject body) {
        List<String> words = words(body);
        Tokens t = tokens(body, words);
        String model = body.getString("model");
        String id = "resp_" + UUID.randomUUID().toString().replace("-", "");
        String item = "msg_" + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        String text = String.join("", words);
        JsonObject message = new JsonObject().put("id", item).put("type", "message").put("status", "completed")
                .put("role", "assistant").put("content", new JsonArray().add(new JsonObject().put("type", "output_text")
                        .put("text", text).put("annotations", new JsonArray())));
        JsonObject usage = new JsonObject().put("input_tokens", t.input())
                .put("input_tokens_details", new JsonObject().put("cached_tokens", t.cacheRead()))
                .put("output_tokens", t.output()).put("output_tokens_details", new JsonObject().put("reasoning_tokens", 0))
                .put("total_tokens", t.input() + t.output());
        JsonObject done = responseObject(id, created, model, "completed", new JsonArray().add(message), usage);
        if (!body.getBoolean("stream", false)) {
            json(response, 200, done);
            return;
        }
        List<String> events = new ArrayList<>();
        int[] seq = {0};
        Consumer<JsonObject> add = e -> events.add("event: " + e.getString("type") + "\ndata: "
                                                   + e.put("sequence_number", seq[0]++).encode() + "\n\n");
        JsonObject progress = responseObject(id, created, model, "in_progress", new JsonArray(), null);
        add.accept(new JsonObject().put("type", "response.created").put("response", progress));
        add.accept(new JsonObject().put("type", "response.in_progress").put("response", progress));
        add.accept(new JsonObject().put("type", "response.output_item.added").put("output_index", 0)
                .put("item", new JsonObject().put("id", item).put("type", "message").put("status", "in_progress")
                        .put("role", "assistant").put("content", new JsonArray())));
        add.accept(new JsonObject().put("type", "response.content_part.added").put("item_id", item)
                .put("output_index", 0).put("content_index", 0).put("part", new JsonObject().put("type", "output_text")
                        .put("text", "").put("annotations", new JsonArray())));
        for (String w : words) {
            add.accept(new JsonObject().put("type", "response.output_text.delta").put("item_id", item)
                    .put("output_index", 0).put("content_index", 0).put("delta", w).put("logprobs", new JsonArray()));
        }
        add.accept(new JsonObject().put("type", "response.output_text.done").put("item_id", item)
                .put("output_index", 0).put("content_index", 0).put("text", text).put("logprobs", new JsonArray()));
        add.accept(new JsonObject().put("type", "response.content_part.done").put("item_id", item)
                .put("output_index", 0).put("content_index", 0).put("part", message.getJsonArray("content")
                        .getJsonObject(0)));
        add.accept(new JsonObject().put("type", "response.output_item.done").put("output_index", 0)
                .put("item", message));
        add.accept(new JsonObject().put("type", "response.completed").put("response", done));
        stream(response, "text/event-stream; charset=utf-8", events);
    }

    private static JsonObject responseObject(String id, long created, String model, String status, JsonArray output,
                                             JsonObject usage) {
        JsonObject r = new JsonObject().put("id", id).put("object", "response").put("created_at", created)
                .put("status", status).putNull("error").putNull("incomplete_details").putNull("instructions")
                .putNull("max_output_tokens").put("model", model).put("output", output)
                .put("parallel_tool_calls", true).putNull("previous_response_id")
                .put("reasoning", new JsonObject().putNull("effort").putNull("summary")).put("store", true)
                .put("temperature", 1.0).put("text", new JsonObject().put("format", new JsonObject().put("type", "text")))
                .put("tool_choice", "auto").put("tools", new JsonArray()).put("top_p", 1.0).put("truncation", "disabled")
                .putNull("user").put("metadata", new JsonObject());
        if (usage != null) {
            r.put("usage", usage);
        } else {
            r.putNull("usage");
        }
        return r;
    }

    private static JsonObject model(String id) {
        return new JsonObject().put("id", id).put("object", "model").put("created", 1715367049)
                .put("owned_by", "system");
    }

    // --- the wire ---------------------------------------------------------------------------------------------------

    private static String sse(String event, JsonObject data) {
        return "event: " + event + "\ndata: " + data.encode() + "\n\n";
    }

    private static void json(HttpServerResponse response, int status, JsonObject body) {
        response.setStatusCode(status).putHeader("Content-Type", "application/json")
                .putHeader("request-id", "req_stub_" + UUID.randomUUID().toString().substring(0, 8)).end(body.encode());
    }

    /** Sends the events one by one, {@code chunkDelayMillis} apart; stops when the client goes away. */
    private void stream(HttpServerResponse response, String contentType, List<String> events) {
        response.setStatusCode(200).setChunked(true).putHeader("Content-Type", contentType)
                .putHeader("Cache-Control", "no-cache").putHeader("request-id", "req_stub_"
                                                                               + UUID.randomUUID().toString().substring(0, 8));
        send(response, events, 0);
    }

    private void send(HttpServerResponse response, List<String> events, int next) {
        if (response.closed()) {
            return;
        }
        if (next == events.size()) {
            response.end();
            return;
        }
        response.write(events.get(next));
        if (chunkDelayMillis <= 0) {
            send(response, events, next + 1);
        } else {
            vertx.setTimer(chunkDelayMillis, t -> send(response, events, next + 1));
        }
    }
}
