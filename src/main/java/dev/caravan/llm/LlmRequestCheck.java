package dev.caravan.llm;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.apache.camel.util.TimeUtils;

import dev.caravan.proxy.UpstreamCall;

/**
 * First step of every LLM request: which API the path is, which model (from the Vertex path by regex, else the body's
 * {@code model}), whether it streams, which organization (a header), and a body that is one JSON object. Sets
 * {@link LlmRequest#PROPERTY} and the properties routes choose on: {@code llmApi} (vertex, anthropic, openai),
 * {@code llmModel}, {@code llmOrg}. Refuses what no provider could answer: 404 unknown path or publisher, 415 not
 * JSON, 400 a body that does not parse, in the error format of the API.
 * <p>
 * The body is scanned, not parsed into a tree: requests of coding agents carry whole files, and only three top-level
 * fields matter here.
 */
public final class LlmRequestCheck implements Processor {

    private static final JsonFactory JSON = new JsonFactory();

    private Pattern vertexPath = Pattern.compile("/(?<version>v1|v1beta1)/projects/(?<project>[^/]+)/locations/"
                                                 + "(?<region>[^/]+)/publishers/(?<publisher>[^/]+)/models/"
                                                 + "(?<model>[^/:]+):(?<action>\\w+)");
    private String orgHeader = "x-org";
    private long requestTimeoutMillis = 300_000;

    @Override
    public void process(Exchange exchange) {
        exchange.setProperty(UpstreamCall.DEADLINE, System.currentTimeMillis() + requestTimeoutMillis);
        Message in = exchange.getIn();
        String path = in instanceof HttpMessage http ? http.getRequest().path()
                : in.getHeader(Exchange.HTTP_PATH, "", String.class);
        String query = in instanceof HttpMessage http ? http.getRequest().query()
                : in.getHeader(Exchange.HTTP_QUERY, String.class);
        String org = in.getHeader(orgHeader, String.class);
        org = org == null || org.isBlank() ? null : org.strip();
        exchange.setProperty("llmOrg", org);

        Matcher vertex = vertexPath.matcher(path);
        LlmApi api;
        String pathModel = null;
        LlmRequest.VertexPath parts = null;
        if (vertex.matches()) {
            String publisher = vertex.group("publisher");
            String action = vertex.group("action");
            exchange.setProperty(LlmExchange.API, LlmApi.VERTEX_GEMINI); // Google's error format until known
            api = switch (publisher) {
                case "anthropic" -> LlmApi.VERTEX_ANTHROPIC;
                case "google" -> LlmApi.VERTEX_GEMINI;
                default -> throw new LlmException(404, "Vertex AI publisher " + publisher
                                                       + " is not served by this gateway (anthropic, google)");
            };
            exchange.setProperty(LlmExchange.API, api);
            pathModel = URLDecoder.decode(vertex.group("model"), StandardCharsets.UTF_8);
            parts = new LlmRequest.VertexPath(version(vertex), vertex.group("project"), vertex.group("region"),
                    publisher, action);
        } else {
            api = switch (path) {
                case "/v1/messages" -> LlmApi.ANTHROPIC_MESSAGES;
                case "/v1/chat/completions" -> LlmApi.OPENAI_CHAT;
                case "/v1/responses" -> LlmApi.OPENAI_RESPONSES;
                case "/v1/models" -> LlmApi.OPENAI_MODELS;
                default -> null;
            };
            if (api == null) {
                exchange.setProperty(LlmExchange.API, path.contains("/projects/") ? LlmApi.VERTEX_GEMINI
                        : LlmApi.OPENAI_CHAT);
                throw new LlmException(404, "No LLM API at " + path);
            }
            exchange.setProperty(LlmExchange.API, api);
        }

        byte[] body = new byte[0];
        Scan scan = new Scan();
        if (api != LlmApi.OPENAI_MODELS) {
            String type = in.getHeader(Exchange.CONTENT_TYPE, "", String.class).toLowerCase(Locale.ROOT);
            if (!type.strip().startsWith("application/json")) {
                throw new LlmException(415, "Content-Type must be application/json");
            }
            Object raw = in.getBody();
            body = raw instanceof Buffer b ? b.getBytes() : in.getBody(byte[].class);
            scan = scan(body == null ? new byte[0] : body);
        }
        boolean stream = parts != null ? parts.action().startsWith("stream") : scan.stream;
        String model = pathModel != null ? pathModel : scan.model;
        exchange.setProperty("llmModel", model);
        exchange.setProperty("llmApi", api.family());
        exchange.setProperty(LlmRequest.PROPERTY, new LlmRequest(api, path, model, stream, org, parts, query,
                body == null ? new byte[0] : body, scan.includeUsage));
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
                    case "model" -> scan.model = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "stream" -> scan.stream = value == JsonToken.VALUE_TRUE;
                    case "stream_options" -> scan.includeUsage = value == JsonToken.START_OBJECT && includeUsage(p);
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new LlmException(400, "The request body must be one JSON object");
            }
        } catch (IOException e) {
            throw new LlmException(400, "The request body is not valid JSON");
        }
        return scan;
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

    /** The header whose value names the caller's organization. */
    public void setOrgHeader(String header) {
        this.orgHeader = header;
    }
}
