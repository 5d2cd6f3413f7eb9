package dev.caravan.mcp;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.vertx.core.buffer.Buffer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

import dev.caravan.core.ClientRequest;
import dev.caravan.core.StrictText;

/**
 * The Streamable HTTP transport rules every request to {@code /mcp} must pass before it is routed: Origin, protocol
 * version, Accept and Content-Type headers, and one well-formed JSON-RPC message per POST. Gives the request's
 * context ({@link McpCall}, attached by the listener's first step) what passed, and the request deadline. A request
 * refused here keeps a context that knows only when it arrived, which its telemetry records.
 */
public final class McpRequestCheck implements Processor {

    public static final List<String> PROTOCOL_VERSIONS = List.of("2025-11-25", "2025-06-18", "2025-03-26");
    public static final String LATEST_PROTOCOL_VERSION = PROTOCOL_VERSIONS.get(0);
    private static final Set<String> LOCAL_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private final Set<String> allowedOrigins;
    private final long requestTimeoutMillis;

    /**
     * @param allowedOrigins       origins browsers may call from, besides localhost ones; {@code *} allows any
     * @param requestTimeoutMillis the longest a request may take end to end
     */
    public McpRequestCheck(Set<String> allowedOrigins, long requestTimeoutMillis) {
        this.allowedOrigins = allowedOrigins;
        this.requestTimeoutMillis = requestTimeoutMillis;
    }

    @Override
    public void process(Exchange exchange) {
        McpCall call = McpCall.of(exchange);
        check(exchange, call);
        call.deadline(System.currentTimeMillis() + requestTimeoutMillis);
    }

    private void check(Exchange exchange, McpCall call) {
        Message in = exchange.getMessage();
        String origin = ClientRequest.header(exchange, "Origin");
        if (origin != null && !originAllowed(origin)) {
            throw McpException.transport(403, "Forbidden: Origin " + origin + " is not allowed");
        }
        String httpMethod = ClientRequest.method(exchange);
        if (!"POST".equals(httpMethod)) {
            checkVersion(exchange);
            call.readHttpMethod(httpMethod);
            return;
        }
        String accept = ClientRequest.header(exchange, "Accept", "").toLowerCase(Locale.ROOT);
        if (!accepts(accept, "application/json") || !accepts(accept, "text/event-stream")) {
            throw McpException.transport(406,
                    "Not Acceptable: Accept must list both application/json and text/event-stream");
        }
        String contentType = ClientRequest.header(exchange, Exchange.CONTENT_TYPE, "").toLowerCase(Locale.ROOT);
        if (!contentType.strip().startsWith("application/json")) {
            throw McpException.transport(415, "Unsupported Media Type: Content-Type must be application/json");
        }
        Object body = in.getBody();
        byte[] bytes = body instanceof Buffer b ? b.getBytes() : in.getBody(byte[].class);
        if (bytes != null && !StrictText.utf8(bytes)) {
            // JSON parsers repair bad UTF-8 (an overlong '/' would reach a backend as '/'); refuse it instead
            throw new McpException(400, JsonRpc.PARSE_ERROR, "Parse error: body is not valid UTF-8", null);
        }
        call.read(JsonRpc.parse(bytes == null ? new byte[0] : bytes));
        // a request of the sessionless generation names its version in the body too, and is refused in its own terms
        call.modern(ModernRequest.read(exchange, call.message()));
        if (call.modern() == null) {
            checkVersion(exchange);
        }
    }

    private static void checkVersion(Exchange exchange) {
        String version = ClientRequest.header(exchange, "MCP-Protocol-Version");
        if (version != null && !PROTOCOL_VERSIONS.contains(version.strip())
                && !ModernRequest.isModern(version.strip())) {
            throw McpException.transport(400, "Bad Request: unsupported MCP-Protocol-Version " + version.strip()
                                              + " (supported: " + String.join(", ", PROTOCOL_VERSIONS) + ")");
        }
    }

    private boolean originAllowed(String origin) {
        if (allowedOrigins.contains("*") || allowedOrigins.contains(origin)) {
            return true;
        }
        try {
            String host = URI.create(origin).getHost();
            return host != null && LOCAL_HOSTS.contains(host.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether an Accept header admits a media type, wildcards included. */
    static boolean accepts(String accept, String mediaType) {
        String family = mediaType.substring(0, mediaType.indexOf('/')) + "/*";
        for (String part : accept.split(",")) {
            String range = part.split(";", 2)[0].strip();
            if (range.equals(mediaType) || range.equals(family) || range.equals("*/*")) {
                return true;
            }
        }
        return false;
    }
}
