package dev.caravan.llm;

import java.io.IOException;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import dev.caravan.proxy.ResponseRelay;
import dev.caravan.proxy.SseParser;
import dev.caravan.proxy.UpstreamCall;
import dev.caravan.proxy.UpstreamException;

/**
 * Relays a provider's answer to the client as it arrives — SSE events or JSON, byte for byte — and reads the token
 * usage on the way: Anthropic {@code message_start} and the cumulative {@code message_delta}, the OpenAI chunk with
 * {@code usage}, the Responses API's {@code response.completed}, Gemini's {@code usageMetadata}, or the {@code usage}
 * of a JSON answer. Events split across TCP chunks are put back together by the SSE parser. Only the few events that
 * carry usage are parsed as JSON.
 * <p>
 * An SSE answer goes out in whole events: each as soon as its blank line arrived, the bytes of an event still
 * arriving held back. So when the provider breaks off, its half event is dropped and the client's stream ends with a
 * well-formed error event in the API's format, which the SDKs report as an API error (not as broken JSON).
 * <p>
 * Answers the provider may be asked again for (429 and 5xx) are not relayed but captured, so the provider call can
 * retry or fail over before anything reached the client. When the gateway added {@code include_usage} to an OpenAI
 * stream the client did not ask it for, the usage chunk is kept from the client.
 */
public final class LlmRelay implements ResponseRelay {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** a JSON answer is kept up to this size to read its usage; beyond, usage is unknown (the answer still flows) */
    private static final int MAX_KEPT_BYTES = 8 * 1024 * 1024;
    private static final int MAX_EVENT_BYTES = 16 * 1024 * 1024;

    private final LlmApi api;
    private final boolean hideUsageChunk;
    private final SseParser parser = new SseParser(this::onEvent, MAX_EVENT_BYTES);
    private boolean sse;
    private int status;
    private Buffer kept;
    /** the SSE bytes from the end of the last whole event on, held until their event is complete */
    private Buffer held;
    /**
     * while a chunk is parsed: the held bytes and the chunk, where they start in the stream, where the bytes to relay
     * since the last dropped event begin, and the runs relayed before it (none when nothing was dropped: the common
     * case relays the chunk itself, uncopied)
     */
    private Buffer input;
    private long inputStart;
    private long runStart;
    private Buffer out;
    /** up to where (a stream offset) the bytes were relayed or dropped */
    private long settled;
    private long firstChunkNanos;
    private boolean ended;
    /** the usage, once read from an answer that ended */
    private Usage counted;
    private boolean finalEventSeen;
    /** the latest data of events that carry usage, parsed only when the usage is asked for */
    private String startData;
    private String usageData;

    /**
     * @param hideUsageChunk for an OpenAI chat stream whose usage chunk the gateway asked for on its own behalf
     */
    public LlmRelay(LlmApi api, boolean hideUsageChunk) {
        this.api = api;
        this.hideUsageChunk = hideUsageChunk;
    }

    /** Whether the provider may be asked again instead: rate limited or failing, before anything was sent. */
    public static boolean retryable(int status) {
        return status == 429 || status >= 500;
    }

    @Override
    public boolean relays(int status, MultiMap upstreamHeaders) {
        return !retryable(status);
    }

    @Override
    public void head(int status, MultiMap upstreamHeaders, HttpServerResponse client) {
        start(status, upstreamHeaders.get("content-type"));
        client.setStatusCode(status);
        UpstreamCall.copyAnswerHeaders(upstreamHeaders, client);
    }

    /** The answer's status and type arrived. */
    void start(int status, String contentType) {
        this.status = status;
        sse = contentType != null && contentType.startsWith("text/event-stream");
    }

    @Override
    public Buffer chunk(Buffer data) {
        if (firstChunkNanos == 0) {
            firstChunkNanos = System.nanoTime();
        }
        if (!sse) {
            keep(data);
            return data;
        }
        input = held == null ? data : held.appendBuffer(data);
        inputStart = settled;
        runStart = settled;
        parser.feed(data);
        if (parser.idle()) {
            settle(parser.position(), true); // blank lines and comments between events
        }
        Buffer run = bytes(runStart, settled);
        Buffer result = out == null ? run : out.appendBuffer(run);
        int rest = (int) (settled - inputStart);
        held = rest < input.length() ? input.getBuffer(rest, input.length()) : null;
        input = null;
        out = null;
        return result;
    }

    /** The bytes of the input between two stream offsets: the input itself when that is all of it. */
    private Buffer bytes(long from, long to) {
        int start = (int) (from - inputStart);
        int end = (int) (to - inputStart);
        return start == 0 && end == input.length() ? input : input.getBuffer(start, end);
    }

    /** The bytes up to {@code end} (a stream offset) are a whole event: out to the client, or dropped. */
    private void settle(long end, boolean relay) {
        int last = (int) (end - inputStart) - 1;
        // the LF of the CRLF that ended the event goes with it, not with the next
        boolean crlf = last >= 0 && last + 1 < input.length() && input.getByte(last) == '\r'
                       && input.getByte(last + 1) == '\n';
        long to = crlf ? end + 1 : end;
        if (!relay) {
            Buffer run = bytes(runStart, settled); // a copy: the input goes on past the dropped event
            out = out == null ? run : out.appendBuffer(run);
            runStart = to;
        }
        settled = to;
    }

    private void keep(Buffer data) {
        if (kept == null) {
            kept = Buffer.buffer();
        }
        if (kept.length() + data.length() <= MAX_KEPT_BYTES) {
            kept.appendBuffer(data);
        }
    }

    private void onEvent(SseParser.Event event) {
        boolean drop = false;
        String data = event.data();
        if (data != null) {
            switch (api.usage()) {
                case ANTHROPIC -> {
                    String type = event.event();
                    if ("message_start".equals(type)) {
                        startData = data;
                    } else if ("message_delta".equals(type)) {
                        usageData = data;
                    } else if ("message_stop".equals(type)) {
                        finalEventSeen = true;
                    }
                }
                case OPENAI_CHAT -> {
                    if (data.equals("[DONE]")) {
                        finalEventSeen = true;
                    } else if (data.contains("\"usage\"") && !data.contains("\"usage\":null")) {
                        usageData = data;
                        drop = hideUsageChunk && usageOnly(data);
                    }
                }
                case OPENAI_RESPONSES -> {
                    String type = event.event();
                    if ("response.completed".equals(type) || "response.incomplete".equals(type)
                        || "response.failed".equals(type)) {
                        usageData = data; // the final count, whichever way the response ended
                        finalEventSeen = true;
                    }
                }
                case GEMINI -> {
                    if (data.contains("\"usageMetadata\"")) {
                        usageData = data;
                        finalEventSeen = data.contains("\"finishReason\"");
                    }
                }
                default -> {
                    // no usage in this API
                }
            }
        }
        if (parser.idle()) {
            settle(parser.position(), !drop); // else a comment line inside an event: it goes with its event
        }
    }

    /** The chunk the gateway asked for: usage and no choices. */
    private static boolean usageOnly(String data) {
        try {
            return JSON.readTree(data).path("choices").isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void end(HttpServerResponse client) {
        finish();
        // an event the provider never completed is dropped, as an SSE client would drop it (WHATWG)
        held = null;
        ResponseRelay.endWith(client, null);
    }

    /** The answer ended normally. */
    void finish() {
        ended = true;
    }

    @Override
    public void fail(UpstreamException error, HttpServerResponse client) {
        held = null;
        int status = error.kind() == UpstreamException.Kind.TIMEOUT || error.kind() == UpstreamException.Kind.IDLE
                ? 504 : 502;
        if (sse) {
            // an SSE client learns why its stream ended, after the last whole event
            ResponseRelay.endWith(client, Buffer.buffer(LlmErrors.event(api, status, error.getMessage())));
        } else if (!client.headWritten()) {
            // nothing of the answer went out: the client gets a whole error answer in its API's format instead
            client.headers().clear();
            client.setStatusCode(status).putHeader("content-type", "application/json");
            ResponseRelay.endWith(client, Buffer.buffer(LlmErrors.body(api.errors(), status, error.getMessage())
                    .toString()));
        } else if (!client.ended()) {
            // part of a JSON answer went out: ending it normally would pass a truncated body off as complete, and only a
            // broken connection tells an SDK that it is not
            client.reset();
        }
    }

    /** The status relayed to the client (0 when nothing was). */
    public int status() {
        return status;
    }

    /** Whether the answer should have brought a token count: a successful answer of an API that reports usage. */
    public boolean counts() {
        return status >= 200 && status < 300 && api.usage() != LlmApi.UsageFormat.NONE;
    }

    public long firstChunkNanos() {
        return firstChunkNanos;
    }

    /** The tokens as OpenTelemetry's GenAI conventions name them, for the provider call's span. */
    @Override
    public Map<String, Object> traceAttributes() {
        Usage usage = usage();
        return !usage.any() ? Map.of() : Map.of("gen_ai.usage.input_tokens", usage.input(),
                "gen_ai.usage.output_tokens", usage.output(), "gen_ai.usage.cache_read.input_tokens", usage.cacheRead(),
                "gen_ai.usage.cache_creation.input_tokens", usage.cacheWrite());
    }

    /**
     * The usage the answer reported; incomplete when it broke off before the provider's final count. Read once the
     * answer ended (the trace span and the recorder both ask).
     */
    public Usage usage() {
        if (counted != null) {
            return counted;
        }
        Usage usage;
        try {
            usage = switch (api.usage()) {
                case ANTHROPIC -> anthropic();
                case OPENAI_CHAT -> openAiChat(sse ? parse(usageData) : keptJson("usage"));
                case OPENAI_RESPONSES -> responses(sse ? parse(usageData) : keptJson("usage"));
                case GEMINI -> gemini(sse ? parse(usageData) : keptJson("usageMetadata"));
                default -> Usage.NONE;
            };
        } catch (IOException | RuntimeException e) {
            usage = Usage.NONE; // an answer we cannot read has unknown usage; it still reached the client
        }
        if (ended) {
            counted = usage;
        }
        return usage;
    }

    /**
     * Whether the provider's final count arrived: its last event (some SDKs hang up as soon as they have it, before
     * the stream formally ends), or the whole answer.
     */
    private boolean complete() {
        if (!sse) {
            return ended;
        }
        return finalEventSeen || ended && api.usage() == LlmApi.UsageFormat.GEMINI;
    }

    /** No tokens reported: complete if the answer was (it simply had no count), else the count was cut off. */
    private Usage noCount() {
        return complete() ? new Usage(0, 0, 0, 0, true) : Usage.NONE;
    }

    private static JsonNode parse(String data) throws IOException {
        return data == null ? null : JSON.readTree(data);
    }

    /**
     * The kept answer with only its top-level {@code field} (an object answer: the rest is skipped by a streaming
     * parser rather than built into a tree), or the whole answer when it is an array (Gemini's streamed array).
     */
    private JsonNode keptJson(String field) throws IOException {
        if (kept == null || kept.length() == 0) {
            return null;
        }
        try (JsonParser p = JSON.getFactory().createParser(kept.getBytes())) {
            JsonToken root = p.nextToken();
            if (root == JsonToken.START_ARRAY) {
                return JSON.readTree(kept.getBytes());
            }
            ObjectNode only = JSON.createObjectNode();
            if (root != JsonToken.START_OBJECT) {
                return only;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals(field)) {
                    only.set(field, p.readValueAsTree());
                    return only;
                }
                p.skipChildren();
            }
            return only;
        }
    }

    private Usage anthropic() throws IOException {
        JsonNode usage;
        if (sse) {
            ObjectNode merged = JSON.createObjectNode();
            JsonNode start = parse(startData);
            if (start != null && start.path("message").path("usage").isObject()) {
                merged.setAll((ObjectNode) start.path("message").path("usage"));
            }
            JsonNode delta = parse(usageData);
            if (delta != null) {
                // message_delta counts are cumulative: they replace what message_start said
                delta.path("usage").fields().forEachRemaining(f -> {
                    if (f.getValue().isNumber()) {
                        merged.set(f.getKey(), f.getValue());
                    }
                });
            }
            usage = merged.isEmpty() ? null : merged;
        } else {
            JsonNode body = keptJson("usage");
            usage = body == null ? null : body.get("usage");
        }
        if (usage == null || !usage.isObject()) {
            return noCount();
        }
        long cacheWrite = usage.path("cache_creation_input_tokens").asLong();
        long cacheRead = usage.path("cache_read_input_tokens").asLong();
        return new Usage(usage.path("input_tokens").asLong() + cacheWrite + cacheRead, cacheRead, cacheWrite,
                usage.path("output_tokens").asLong(), complete());
    }

    private Usage openAiChat(JsonNode message) {
        JsonNode usage = message == null ? null : message.get("usage");
        if (usage == null || !usage.isObject()) {
            return noCount();
        }
        return new Usage(usage.path("prompt_tokens").asLong(),
                usage.path("prompt_tokens_details").path("cached_tokens").asLong(), 0,
                usage.path("completion_tokens").asLong(), complete());
    }

    private Usage responses(JsonNode message) {
        JsonNode response = message == null ? null : sse ? message.get("response") : message;
        JsonNode usage = response == null ? null : response.get("usage");
        if (usage == null || !usage.isObject()) {
            return noCount();
        }
        return new Usage(usage.path("input_tokens").asLong(),
                usage.path("input_tokens_details").path("cached_tokens").asLong(), 0,
                usage.path("output_tokens").asLong(), complete());
    }

    private Usage gemini(JsonNode message) {
        // streamGenerateContent without alt=sse answers one JSON array of responses; the last has the totals
        JsonNode last = message != null && message.isArray() && !message.isEmpty() ? message.get(message.size() - 1)
                : message;
        JsonNode usage = last == null ? null : last.get("usageMetadata");
        if (usage == null || !usage.isObject()) {
            return noCount();
        }
        return new Usage(usage.path("promptTokenCount").asLong(), usage.path("cachedContentTokenCount").asLong(), 0,
                usage.path("candidatesTokenCount").asLong() + usage.path("thoughtsTokenCount").asLong(), complete());
    }
}
