package dev.caravan.edge;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.camel.main.Main;

import dev.caravan.demo.DemoMain;
import dev.caravan.demo.StubLlmProvider;
import dev.caravan.support.ScriptedMcpServer;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property-based tests of the edge: random methods, paths, query strings, headers and bodies (bytes and JSON) against
 * the MCP and LLM listeners of a gateway started in-process with the shipped routes, the stub LLM provider and a
 * recording MCP backend. Every answer comes within a bound, is never a 500, never carries a {@code Camel*} header, a
 * stack trace or HTML; a request that is invalid by construction is refused in its API's format and reaches no
 * upstream; and no header or query parameter the client adds reaches an upstream unless it is allow-listed.
 */
class EdgePropertiesTest {

    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final String VERTEX = "/v1/projects/p/locations/l/publishers/";
    /** headers that steer the HTTP connection itself, which the test client must control */
    private static final Set<String> HOP_BY_HOP = Set.of("host", "te", "expect", "connection", "upgrade",
            "content-length", "transfer-encoding", "keep-alive", "trailer");
    private static final Pattern STACK_TRACE = Pattern.compile("(?m)(^\\s*at [\\w.$]+\\(|Exception\\b|\\bjava\\.)");

    private static Main main;
    private static RawHttp http;
    private static StubLlmProvider stub;
    private static ScriptedMcpServer scripted;
    private static String session;

    /** A request as a hostile client may send it: anything goes in the target, header values and the body. */
    record Request(String method, String target, List<Map.Entry<String, String>> headers, byte[] body) {

        Request with(String name, String value) {
            List<Map.Entry<String, String>> more = new ArrayList<>(headers);
            more.add(Map.entry(name, value));
            return new Request(method, target, more, body);
        }

        @Override
        public String toString() {
            return method + " " + target + " " + headers + " body=" + new String(body, StandardCharsets.ISO_8859_1)
                    .replaceAll("[^\\x20-\\x7e]", "?") + " (" + HexFormat.of().formatHex(body, 0,
                    Math.min(body.length, 64)) + ")";
        }
    }

    @BeforeContainer
    static void start() throws Exception {
        TestPorts.configureGateway();
        scripted = EdgeSupport.scriptedBackend();
        main = DemoMain.create();
        main.addOverrideProperty("camel.main.routes-include-pattern", "file:routes/*.camel.yaml,"
                + "file:kamelets/*.kamelet.yaml,classpath:test-routes/edge-backends.camel.yaml");
        main.start();
        stub = main.getCamelContext().getRegistry().lookupByNameAndType("stubLlmProvider", StubLlmProvider.class);
        http = new RawHttp(Integer.parseInt(System.getProperty("caravan.http.port")));
        RawHttp.Answer initialized = http.send("POST", "/mcp", MultiMap.caseInsensitiveMultiMap()
                .add("Content-Type", "application/json").add("Accept", "application/json, text/event-stream"), Buffer.buffer(
                "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"fuzz\",\"version\":\"1\"}}}"), BOUND);
        assertEquals(200, initialized.status(), initialized.text());
        session = initialized.headers().get("Mcp-Session-Id");
    }

    @AfterContainer
    static void stop() throws Exception {
        main.stop();
        scripted.close();
    }


    private static RawHttp.Answer send(Request request) throws Exception {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        request.headers().forEach(h -> headers.add(h.getKey(), h.getValue()));
        long start = System.nanoTime();
        RawHttp.Answer answer = http.send(request.method(), request.target(), headers, Buffer.buffer(request.body()),
                BOUND);
        assertTrue(System.nanoTime() - start < BOUND.toNanos(), "answered after the bound");
        return answer;
    }

    /** What every answer must be, whatever was asked. */
    private static void assertWellFormed(RawHttp.Answer answer) {
        assertNotEquals(500, answer.status(), answer::text);
        assertTrue(answer.status() >= 200 && answer.status() < 600, () -> "status " + answer.status());
        answer.headers().names().forEach(name -> assertFalse(name.toLowerCase(Locale.ROOT).startsWith("camel"),
                () -> "answer header " + name));
        String text = answer.text();
        assertFalse(text.toLowerCase(Locale.ROOT).contains("<html"), () -> "HTML answer: " + text);
        assertFalse(STACK_TRACE.matcher(text).find(), () -> "stack trace in the answer: " + text);
        if (answer.body().length() > 0) {
            String type = answer.headers().get("Content-Type");
            assertTrue(type != null && (type.startsWith("application/json") || type.startsWith("text/event-stream")),
                    () -> "content type " + type + " of " + text);
        }
    }

    // --- generators -----------------------------------------------------------------------------------------------

    private static Arbitrary<String> hostileText() {
        return Arbitraries.oneOf(
                Arbitraries.of("", "sse", "true", "x", "engineering", "Bearer%20abc", "..", "%2e%2e", "%2F", "%00",
                        "%0A", "%0D%0A", "%zz", "%", "%C0%AF", "%ED%A0%80", "%F0%9F%9A%80", "%E2%80%AE", "+", "a=b",
                        "%25"),
                Arbitraries.strings().withCharRange('!', '~').excludeChars('#', '?', '/', '&').ofMaxLength(12));
    }

    @Provide
    Arbitrary<String> paths() {
        Arbitrary<String> listener = Arbitraries.of("/mcp", "/v1/messages", "/v1/chat/completions", "/v1/responses",
                "/v1/models", VERTEX + "anthropic/models/", VERTEX + "google/models/", "/v1beta1/projects/",
                "/v1/projects/", "/", "/v1/", "/.well-known/oauth-protected-resource/mcp");
        Arbitrary<String> segment = Arbitraries.oneOf(hostileText(), Arbitraries.of("claude-sonnet:rawPredict",
                "claude-sonnet:streamRawPredict", "gemini-2.5-flash:generateContent", "x:deleteEverything",
                "count-tokens:rawPredict", "batches", "x%3AstreamRawPredict", "claude%40v1:rawPredict"));
        return Combinators.combine(listener, segment.list().ofMaxSize(3))
                .as((prefix, rest) -> prefix + String.join("/", rest));
    }

    @Provide
    Arbitrary<String> queries() {
        Arbitrary<String> name = Arbitraries.oneOf(hostileText(), Arbitraries.of("alt", "beta", "x-org",
                "Authorization", "Mcp-Session-Id", "x-goog-user-project", "*", "CamelHttpMethod", "camelHttpPath", "key",
                "MCP-Protocol-Version"));
        return Combinators.combine(name, hostileText()).as((n, v) -> n + "=" + v).list().ofMaxSize(4)
                .map(pairs -> pairs.isEmpty() ? "" : "?" + String.join("&", pairs));
    }

    @Provide
    Arbitrary<List<Map.Entry<String, String>>> headers() {
        Arbitrary<String> name = Arbitraries.oneOf(Arbitraries.of("x-org", "anthropic-beta", "anthropic-version",
                        "x-evil", "Origin", "MCP-Protocol-Version", "Accept", "Content-Type", "Last-Event-ID",
                        "x-api-key", "Authorization", "CamelHttpResponseCode", "Camel-Foo", "traceparent", "Cookie",
                        "x-goog-user-project", "Mcp-Session-Id"),
                Arbitraries.strings().withCharRange('a', 'z').withChars('-').ofMinLength(1).ofMaxLength(10)
                        .filter(n -> !HOP_BY_HOP.contains(n)));
        Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.of("application/json", "text/event-stream",
                        "application/json, text/event-stream", "*/*", "text/plain", "2025-11-25", "1999-01-01",
                        "http://evil.example", "http://localhost:1", "Bearer not-a-token", "engineering", ""),
                Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(40));
        return Combinators.combine(name, value).as(Map::entry).list().ofMaxSize(4);
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        Arbitrary<String> json = Arbitraries.of(
                "{\"model\":\"claude-sonnet\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"ok_probe\"}}",
                "{\"jsonrpc\":\"2.0\",\"id\":\"ok:1\",\"result\":{}}", "{\"jsonrpc\":\"2.0\",\"method\":\"x\"}",
                "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", "{\"model\":7,\"stream\":\"yes\"}", "null",
                "{}", "{", "\"\\ud800\"", "{\"a\":1}{\"b\":2}", "[".repeat(5000) + "]".repeat(5000));
        return Arbitraries.oneOf(json.map(j -> j.getBytes(StandardCharsets.UTF_8)),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(200),
                Arbitraries.just(new byte[0]));
    }

    @Provide
    Arbitrary<Request> anyRequest() {
        Arbitrary<String> method = Arbitraries.of("GET", "POST", "POST", "POST", "PUT", "DELETE", "PATCH", "OPTIONS",
                "HEAD");
        return Combinators.combine(method, paths(), queries(), headers(), bodies())
                .as((m, path, query, headers, body) -> new Request(m, path + query, headers, body));
    }

    // --- properties -----------------------------------------------------------------------------------------------

    @Property(tries = 250)
    void anyRequestGetsAWellFormedAnswerInTime(@ForAll("anyRequest") Request request) throws Exception {
        assertWellFormed(send(request));
    }

    /** A valid request of each kind, each of which would reach an upstream as it is. */
    @Provide
    Arbitrary<Tuple.Tuple2<String, Request>> validRequests() {
        List<Map.Entry<String, String>> json = List.of(Map.entry("Content-Type", "application/json"));
        String anthropic = "{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":8,\"messages\":[{\"role\":"
                           + "\"user\",\"content\":\"hi\"}]}";
        return Arbitraries.of(
                Tuple.of("anthropic", new Request("POST", VERTEX + "anthropic/models/claude-sonnet:rawPredict", json,
                        anthropic.getBytes(StandardCharsets.UTF_8))),
                Tuple.of("google", new Request("POST", VERTEX + "google/models/gemini-2.5-flash:generateContent", json,
                        "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}"
                                .getBytes(StandardCharsets.UTF_8))),
                Tuple.of("anthropic", new Request("POST", "/v1/messages", json, ("{\"model\":\"claude-sonnet\","
                        + "\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                        .getBytes(StandardCharsets.UTF_8))),
                Tuple.of("openai", new Request("POST", "/v1/chat/completions", json, ("{\"model\":\"gpt-4o\","
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").getBytes(StandardCharsets.UTF_8))),
                Tuple.of("mcp", new Request("POST", "/mcp", List.of(), ("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":"
                        + "\"tools/call\",\"params\":{\"name\":\"ok_probe\",\"arguments\":{\"q\":\"hi\"}}}")
                        .getBytes(StandardCharsets.UTF_8))));
    }

    /** One way to make a valid request invalid; each must be refused before any upstream is called. */
    enum Corruption {
        CONTROL_IN_QUERY, UNDECODABLE_QUERY, BAD_UTF8_BODY, NOT_JSON, WRONG_CONTENT_TYPE, WRONG_METHOD, SUB_PATH,
        CONTROL_IN_MODEL, UNSERVED_ACTION
    }

    @Property(tries = 200)
    void invalidRequestsAreRefusedAndReachNoUpstream(@ForAll("validRequests") Tuple.Tuple2<String, Request> valid,
                                                     @ForAll Corruption corruption,
                                                     @ForAll("controlOrBadBytes") String bad,
                                                     @ForAll("badUtf8") String badUtf8) throws Exception {
        String api = valid.get1();
        Request base = valid.get2();
        boolean vertex = base.target().startsWith(VERTEX);
        if (!vertex && (corruption == Corruption.CONTROL_IN_MODEL || corruption == Corruption.UNSERVED_ACTION)) {
            return; // those exist only in Vertex AI paths
        }
        if (api.equals("mcp") && corruption == Corruption.CONTROL_IN_QUERY) {
            return; // MCP has no query parameters: nothing of its query string is read or forwarded
        }
        Request invalid = switch (corruption) {
            case CONTROL_IN_QUERY -> new Request(base.method(), base.target() + "?alt=" + bad, base.headers(),
                    base.body());
            case UNDECODABLE_QUERY -> new Request(base.method(), base.target() + "?x=%" + bad.replace("%", "z"),
                    base.headers(), base.body());
            case BAD_UTF8_BODY -> new Request(base.method(), base.target(), base.headers(),
                    spliced(base.body(), HexFormat.of().parseHex(badUtf8)));
            case NOT_JSON -> new Request(base.method(), base.target(), base.headers(), "{\"a\":".getBytes(
                    StandardCharsets.UTF_8));
            case WRONG_CONTENT_TYPE -> new Request(base.method(), base.target(), List.of(Map.entry("Content-Type",
                    "text/plain")), base.body());
            case WRONG_METHOD -> new Request("PUT", base.target(), base.headers(), base.body());
            case SUB_PATH -> new Request(base.method(), base.target() + "/batches", base.headers(), base.body());
            case CONTROL_IN_MODEL -> new Request(base.method(), base.target().replace("/models/", "/models/x" + bad),
                    base.headers(), base.body());
            case UNSERVED_ACTION -> new Request(base.method(), base.target().replaceAll(":\\w+$", ":deleteEverything"),
                    base.headers(), base.body());
        };
        if (api.equals("mcp")) {
            invalid = invalid.with("Mcp-Session-Id", session);
            if (corruption != Corruption.WRONG_CONTENT_TYPE) {
                invalid = invalid.with("Content-Type", "application/json");
            }
            invalid = invalid.with("Accept", "application/json, text/event-stream");
        }
        List<StubLlmProvider.Received> provider = stub.requests();
        int backend = scripted.requests();
        RawHttp.Answer answer = send(invalid);
        assertWellFormed(answer);
        assertTrue(answer.status() >= 400 && answer.status() < 500, () -> answer.status() + " " + answer.text());
        EdgeSupport.assertShape(api, answer.status(), answer.text());
        assertEquals(provider, stub.requests(), "the provider was called");
        assertEquals(backend, scripted.requests(), "the backend was called");
    }

    @Provide
    Arbitrary<String> controlOrBadBytes() {
        return Arbitraries.of("%00", "%01", "%0A", "%0D", "%1F", "%7F", "%C2%80", "%C0%AF", "%E0%80%AF", "%ED%A0%80",
                "%ED%BF%BF", "%F4%90%80%80", "%F8%88%80%80%80", "%FF", "%C3", "%E2%80%AE");
    }

    /** Byte sequences that are not UTF-8 (RFC 3629): overlong, surrogates, above U+10FFFF, cut, stray, 5-byte. */
    @Provide
    Arbitrary<String> badUtf8() {
        return Arbitraries.of("c0af", "e080af", "f08080af", "eda080", "edbfbf", "f4908080", "f888808080", "ff", "fe",
                "c3", "e282", "80", "bf");
    }

    private static byte[] spliced(byte[] json, byte[] bad) {
        // into the first string value: after the first '":"' (or at the end when there is none)
        String text = new String(json, StandardCharsets.UTF_8);
        int at = text.indexOf("\":\"");
        int cut = at < 0 ? json.length : text.substring(0, at + 3).getBytes(StandardCharsets.UTF_8).length;
        byte[] out = new byte[json.length + bad.length];
        System.arraycopy(json, 0, out, 0, cut);
        System.arraycopy(bad, 0, out, cut, bad.length);
        System.arraycopy(json, cut, out, cut + bad.length, json.length - cut);
        return out;
    }

    /** Whether a query string part decodes to printable UTF-8 text (the test's own oracle, by the JDK's decoders). */
    private static boolean printable(String part) {
        if (!part.matches("([!-~&&[^%]]|%[0-9A-Fa-f]{2})*")) {
            return false;
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(
                    URLDecoder.decode(part, StandardCharsets.ISO_8859_1).getBytes(StandardCharsets.ISO_8859_1)))
                    .toString();
            return text.codePoints().noneMatch(cp -> Character.isISOControl(cp) || Character.getType(cp)
                                                                                  == Character.FORMAT);
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    @Property(tries = 100)
    void noClientHeaderOrQueryParameterReachesAnUpstreamUnlessAllowListed(
            @ForAll("validRequests") Tuple.Tuple2<String, Request> valid,
            @ForAll("headers") List<Map.Entry<String, String>> extra,
            @ForAll("queries") String query) throws Exception {
        String api = valid.get1();
        Request base = valid.get2();
        List<Map.Entry<String, String>> headers = new ArrayList<>(extra);
        // the request stays valid: its own transport headers win over the random ones
        headers.removeIf(h -> Set.of("content-type", "accept", "mcp-session-id", "authorization", "x-api-key",
                "mcp-protocol-version", "origin", "x-org").contains(h.getKey().toLowerCase(Locale.ROOT)));
        headers.addAll(base.headers());
        if (api.equals("mcp")) {
            headers.addAll(List.of(Map.entry("Content-Type", "application/json"), Map.entry("Accept",
                    "application/json, text/event-stream"), Map.entry("Mcp-Session-Id", session)));
        }
        // only parameters that decode (others are refused, which invalidRequestsAreRefused... covers)
        String cleanQuery = String.join("&", Arrays.stream(query.replaceFirst("^\\?", "").split("&"))
                .filter(p -> !p.isEmpty() && Arrays.stream(p.split("=", -1)).allMatch(EdgePropertiesTest::printable))
                .toList());
        Request request = new Request(base.method(), base.target() + (cleanQuery.isEmpty() ? "" : "?" + cleanQuery),
                headers, base.body());
        RawHttp.Answer answer = send(request);
        assertWellFormed(answer);
        assertEquals(200, answer.status(), () -> request + " -> " + answer.text());
        Set<String> allowed = switch (api) {
            case "anthropic" -> Set.of("anthropic-version", "anthropic-beta", "content-type", "accept");
            case "mcp" -> Set.of("accept", "content-type", "mcp-session-id", "mcp-protocol-version", "last-event-id",
                    "x-backend-key");
            default -> Set.of("content-type", "accept");
        };
        MultiMap received;
        String uri;
        if (api.equals("mcp")) {
            received = scripted.okHeaders().get(scripted.okHeaders().size() - 1);
            uri = "";
        } else {
            StubLlmProvider.Received last = stub.requests().get(stub.requests().size() - 1);
            received = last.headers();
            uri = last.path();
        }
        // what the HTTP client and the provider's credential add, and trace context passed through
        Set<String> transport = Set.of("host", "content-length", "authorization", "x-api-key", "traceparent",
                "tracestate", "transfer-encoding", "connection");
        for (String name : received.names()) {
            String lower = name.toLowerCase(Locale.ROOT);
            assertTrue(allowed.contains(lower) || transport.contains(lower), () -> "forwarded " + name + " of "
                                                                                     + request);
        }
        for (Map.Entry<String, String> h : extra) {
            String lower = h.getKey().toLowerCase(Locale.ROOT);
            if (!allowed.contains(lower) && !transport.contains(lower) && !h.getValue().isBlank()) {
                assertFalse(received.getAll(h.getKey()).contains(h.getValue().strip()), () -> "forwarded " + h);
            }
        }
        String forwardedQuery = uri.contains("?") ? uri.substring(uri.indexOf('?') + 1) : "";
        for (String pair : forwardedQuery.split("&")) {
            String name = pair.split("=", 2)[0];
            assertTrue(pair.isEmpty() || Set.of("alt", "beta").contains(name), () -> "forwarded ?" + pair);
        }
    }
}
