package dev.caravan.llm;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.util.TimeUtils;

import dev.caravan.core.Settings;
import dev.caravan.core.ClientRequest;
import dev.caravan.core.StrictText;

/**
 * First step of every LLM request: which API the path is, which model (from the Vertex path by regex, else the body's
 * {@code model}), whether it streams, which organization (a header), and a body that is one JSON object. Fills in the
 * request's context ({@link LlmRequest}, attached by the listener's first step) as it learns each fact, the API and
 * the organization first, so that a refusal is answered and recorded with them. Refuses what no provider could
 * answer, in the error format of the API the path belongs to: 404 an unknown path, publisher or Vertex AI action; 400 a
 * model or query that does not decode strictly to printable text, a body that is not well-formed UTF-8 or does not
 * parse; 415 not JSON.
 * <p>
 * It also decides what of the client's request may reach a provider besides the body: the allow-listed headers
 * ({@link #setForwardedHeaders}) and query parameters ({@link #setForwardedQuery}) of the API's vendor. Headers are
 * read from the real request only ({@link ClientRequest}), never from the query string.
 * <p>
 * The body is scanned, not parsed into a tree: requests of coding agents carry whole files, and only three top-level
 * fields matter here.
 */
public final class LlmRequestCheck implements Processor, CamelContextAware {

    // a second "model" would let the gateway check and price one model while a provider reading the first runs another
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    /** what a model name is made of; anything else ('/', '%', '?', '..') could change the provider URL's meaning */
    private static final Pattern MODEL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]*");
    private static final List<String> VENDORS = List.of("anthropic", "google", "openai");

    private Pattern vertexPath = Pattern.compile("/(?<version>v1|v1beta1)/projects/(?<project>[^/]+)/locations/"
                                                 + "(?<region>[^/]+)/publishers/(?<publisher>[^/]+)/models/"
                                                 + "(?<model>[^/:]+):(?<action>\\w+)");
    private CamelContext camelContext;
    /** the wire APIs and their paths, bound after the route files' beans were made */
    private volatile WireApis apis;
    private String orgHeader = "x-org";
    private long requestTimeoutMillis = 300_000;
    private Map<String, Set<String>> vertexActions = lists("vertexActions",
            "anthropic: rawPredict, streamRawPredict; google: generateContent, streamGenerateContent, countTokens",
            List.of("anthropic", "google"));
    private Map<String, Set<String>> forwardedHeaders = lists("forwardedHeaders",
            "anthropic: anthropic-version, anthropic-beta, content-type, accept; google: content-type, accept; "
            + "openai: content-type, accept", VENDORS);
    private Map<String, Set<String>> forwardedQuery = lists("forwardedQuery", "anthropic: beta; google: alt", VENDORS);

    @Override
    public void process(Exchange exchange) {
        WireApis apis = apis();
        LlmRequest request = LlmRequest.of(exchange);
        long deadline = System.currentTimeMillis() + requestTimeoutMillis;
        String path = ClientRequest.path(exchange);
        WireApi byPath = apis.ofPath(path);
        // every refusal from here on speaks the API the path belongs to
        request.api(byPath == null ? apis.fallback() : byPath);
        String org = ClientRequest.header(exchange, orgHeader);
        request.org(org == null || org.isBlank() ? null : org.strip());

        Matcher vertex = vertexPath.matcher(path);
        WireApi api;
        String pathModel = null;
        LlmRequest.VertexPath parts = null;
        if (vertex.matches()) {
            String publisher = vertex.group("publisher");
            String action = vertex.group("action");
            api = apis.ofPublisher(publisher);
            if (api == null) {
                throw new LlmException(404, "Vertex AI publisher " + publisher + " is not served by this gateway ("
                                            + String.join(", ", apis.publishers()) + ")");
            }
            Set<String> actions = vertexActions.getOrDefault(publisher, Set.of());
            if (!actions.contains(action)) {
                // the gateway's own Google credential must not reach arbitrary Vertex AI methods
                throw new LlmException(404, "Vertex AI action " + action + " is not served by this gateway for "
                                            + publisher + " models (" + String.join(", ", new TreeSet<>(actions))
                                            + ")");
            }
            pathModel = StrictText.percentDecoded(vertex.group("model"), false);
            if (pathModel == null || !MODEL_ID.matcher(pathModel).matches()) {
                throw new LlmException(400, "The model in the path must be a model id (letters, digits, '.', '_', "
                                            + "'@', '-')");
            }
            parts = new LlmRequest.VertexPath(version(vertex), vertex.group("project"), vertex.group("region"),
                    publisher, action, api.pathEndpoint(pathModel, action));
        } else {
            // only an API's own path; its sub-paths (batches, files, ...) are not served, so never forwarded
            api = apis.servedAt(path);
            if (api == null) {
                throw new LlmException(404, "No LLM API of this gateway at this path");
            }
        }
        request.api(api);
        String query = forwardedQuery(ClientRequest.query(exchange),
                forwardedQuery.getOrDefault(api.vendor(), Set.of()));

        byte[] body = new byte[0];
        Scan scan = new Scan();
        if (api.takesBody()) {
            if (!jsonUtf8(ClientRequest.headers(exchange).getAll(Exchange.CONTENT_TYPE))) {
                throw new LlmException(415, "Content-Type must be application/json (UTF-8)");
            }
            Message in = exchange.getIn();
            Object raw = in.getBody();
            body = raw instanceof Buffer b ? b.getBytes() : in.getBody(byte[].class);
            body = body == null ? new byte[0] : body;
            if (!StrictText.utf8(body) || StrictText.hasNul(body) || StrictText.hasBom(body)) {
                // JSON parsers repair bad UTF-8 (an overlong '/' would become '/') and take NULs or a byte order mark
                // for UTF-16 or UTF-32; a provider gets what was sent, so the gateway must read it as the provider will
                throw new LlmException(400, "The request body is not JSON in UTF-8");
            }
            scan = scan(body);
        }
        boolean stream = api.streams(parts, scan.stream);
        String model = pathModel != null && (parts == null || parts.modelSegment() == null) ? pathModel : scan.model;
        request.validated(path, model, stream, parts, query, body, scan.includeUsage,
                clientHeaders(exchange, forwardedHeaders.getOrDefault(api.vendor(), Set.of())), deadline);
    }

    /** The client's headers a provider may see: the vendor's allow-listed ones, from the real request. */
    private static MultiMap clientHeaders(Exchange exchange, Set<String> allowed) {
        MultiMap all = ClientRequest.headers(exchange);
        MultiMap kept = MultiMap.caseInsensitiveMultiMap();
        for (String name : allowed) {
            for (String value : all.getAll(name)) {
                // Vert.x passes raw bytes above 0x7f through as they came; a provider gets printable ASCII only
                if (!value.chars().allMatch(c -> c == '\t' || c >= 0x20 && c < 0x7f)) {
                    throw new LlmException(400, "The " + name + " header must be printable ASCII");
                }
                kept.add(name, value);
            }
        }
        return kept;
    }

    /**
     * The part of the client's query string a provider may see (its allow-listed parameters, as sent), or null; every
     * parameter must decode strictly to printable text, else the whole request is refused.
     */
    static String forwardedQuery(String raw, Set<String> allowed) {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        StringJoiner kept = new StringJoiner("&");
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = StrictText.percentDecoded(eq < 0 ? pair : pair.substring(0, eq), true);
            if (name == null || eq >= 0 && StrictText.percentDecoded(pair.substring(eq + 1), true) == null) {
                throw new LlmException(400, "The query string must be percent-encoded UTF-8 of printable characters");
            }
            if (allowed.contains(name)) {
                kept.add(pair);
            }
        }
        return kept.length() == 0 ? null : kept.toString();
    }

    /** The API version of a Vertex AI path (v1 unless the pattern names one). */
    private static String version(Matcher vertex) {
        try {
            String version = vertex.group("version");
            return version == null ? "v1" : version;
        } catch (IllegalArgumentException e) {
            return "v1"; // a pattern without a version group
        }
    }

    private static final class Scan {
        String model;
        boolean stream;
        boolean includeUsage;
    }

    /** Reads the top-level model, stream and stream_options.include_usage of a JSON object, skipping the rest. */
    private static Scan scan(byte[] body) {
        Scan scan = new Scan();
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new LlmException(400, "The request body must be a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "model" -> scan.model = value == JsonToken.VALUE_STRING ? printable(p.getText()) : null;
                    case "stream" -> scan.stream = value == JsonToken.VALUE_TRUE;
                    case "stream_options" -> scan.includeUsage = value == JsonToken.START_OBJECT && includeUsage(p);
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new LlmException(400, "The request body must be one JSON object");
            }
        } catch (IOException e) {
            boolean repeated = e.getMessage() != null && e.getMessage().startsWith("Duplicate field");
            throw new LlmException(400, repeated ? "The request body has a key twice"
                    : "The request body is not valid JSON");
        }
        return scan;
    }

    /** A model name from the body: printable text only, as it becomes a metric label and a log field. */
    private static String printable(String model) {
        if (!StrictText.printable(model)) {
            throw new LlmException(400, "The model must be printable text");
        }
        return model;
    }

    /** Exactly one Content-Type, application/json, in UTF-8 when it names a charset. */
    static boolean jsonUtf8(List<String> contentTypes) {
        if (contentTypes.size() != 1) {
            return false;
        }
        String[] parts = contentTypes.get(0).toLowerCase(Locale.ROOT).split(";");
        if (!parts[0].strip().equals("application/json")) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].split("=", 2);
            if (param[0].strip().equals("charset")
                && !(param.length == 2 && param[1].strip().replace("\"", "").equals("utf-8"))) {
                return false;
            }
        }
        return true;
    }

    private static boolean includeUsage(JsonParser p) throws IOException {
        boolean include = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("include_usage")) {
                include = value == JsonToken.VALUE_TRUE;
            } else {
                p.skipChildren();
            }
        }
        return include;
    }

    /**
     * The Vertex AI path pattern: groups {@code project}, {@code region}, {@code publisher}, {@code model} (may be
     * URL-encoded, {@code @} as {@code %40}) and {@code action}, optionally {@code version} (v1, v1beta1).
     */
    public void setVertexPath(String regex) {
        Pattern pattern = Pattern.compile(regex);
        for (String group : new String[] {"project", "region", "publisher", "model", "action"}) {
            if (!regex.contains("(?<" + group + ">")) {
                throw new IllegalArgumentException("vertexPath needs a named group (?<" + group + ">...)");
            }
        }
        this.vertexPath = pattern;
    }

    /** The longest a request may take end to end, retries and fallbacks included (Camel duration). */
    public void setRequestTimeout(String timeout) {
        this.requestTimeoutMillis = TimeUtils.toMilliSeconds(timeout);
    }

    /**
     * The Vertex AI actions served per publisher, e.g. {@code anthropic: rawPredict, streamRawPredict; google:
     * generateContent}; any other action is refused with 404 before a provider is called.
     */
    public void setVertexActions(String actions) {
        this.vertexActions = lists("vertexActions", actions, List.of("anthropic", "google"));
    }

    /**
     * The request headers of the client a provider gets, per vendor ({@code anthropic}, {@code google},
     * {@code openai}), e.g. {@code anthropic: anthropic-version, anthropic-beta, content-type, accept; openai:
     * content-type, accept}. No other header of the client is ever forwarded; credentials must not be listed.
     */
    public void setForwardedHeaders(String headers) {
        this.forwardedHeaders = lists("forwardedHeaders", headers, VENDORS);
    }

    /** The query parameters of the client a provider gets, per vendor, e.g. {@code google: alt}; no other is. */
    public void setForwardedQuery(String parameters) {
        this.forwardedQuery = lists("forwardedQuery", parameters, VENDORS);
    }

    /** Parses {@code key: a, b; key2: c} into sets by key; a key that is not one of {@code keys} is refused. */
    private static Map<String, Set<String>> lists(String property, String spec, List<String> keys) {
        Map<String, Set<String>> lists = new HashMap<>();
        for (String part : spec.split(";")) {
            if (part.isBlank()) {
                continue;
            }
            int colon = part.indexOf(':');
            String key = colon < 0 ? "" : part.substring(0, colon).strip();
            if (!keys.contains(key)) {
                throw new IllegalArgumentException(property + ": each part must look like '<" + String.join("|", keys)
                                                   + ">: a, b', got: " + part.strip());
            }
            lists.put(key, Set.copyOf(Settings.csv(part.substring(colon + 1))));
        }
        return Map.copyOf(lists);
    }

    /** The wire APIs and the paths they serve: the {@code llmWireApis} bean, looked up once. */
    private WireApis apis() {
        WireApis known = apis;
        if (known == null) {
            known = camelContext.getRegistry().lookupByNameAndType("llmWireApis", WireApis.class);
            if (known == null) {
                throw new IllegalStateException("No llmWireApis bean (CaravanConfiguration binds it)");
            }
            apis = known;
        }
        return known;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    /** The header whose value names the caller's organization. */
    public void setOrgHeader(String header) {
        this.orgHeader = header;
    }
}
