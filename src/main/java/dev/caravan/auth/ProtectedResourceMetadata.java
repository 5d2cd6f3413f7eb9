package dev.caravan.auth;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

import static dev.caravan.core.Settings.csv;
import io.vertx.core.buffer.Buffer;
import dev.caravan.core.ReplyBody;

/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728) for a resource the gateway guards, so MCP clients can discover
 * where to get a token: served at {@code /.well-known/oauth-protected-resource} and at the path-suffixed form the
 * RFC prescribes for a resource with a path ({@code .../oauth-protected-resource/mcp}). Declared as a bean in a route
 * file, configured through its setters.
 */
public final class ProtectedResourceMetadata implements Processor {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WELL_KNOWN = "/.well-known/oauth-protected-resource";

    private String resource;
    private List<String> authorizationServers = List.of();
    private List<String> scopesSupported = List.of();
    private List<String> bearerMethods = List.of("header");
    private String documentation;

    /** Where a resource's metadata lives: the well-known path inserted between host and path (RFC 9728 §3.1). */
    public static String wellKnownUrl(String resource) {
        URI uri = URI.create(resource);
        String path = uri.getRawPath() == null || uri.getRawPath().equals("/") ? "" : uri.getRawPath();
        return uri.getScheme() + "://" + uri.getRawAuthority() + WELL_KNOWN + path;
    }

    @Override
    public void process(Exchange exchange) {
        String path = exchange.getIn() instanceof HttpMessage http ? http.getRequest().path()
                : exchange.getIn().getHeader(Exchange.HTTP_URI, "", String.class);
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (!path.equals(WELL_KNOWN) && !path.equals(URI.create(wellKnownUrl(resource)).getRawPath())) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 404);
            exchange.getMessage().setBody(bytes(JSON.createObjectNode().put("error", "not_found")
                    .put("error_description", "no protected resource at " + path)));
            return;
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("resource", resource);
        authorizationServers.forEach(body.putArray("authorization_servers")::add);
        scopesSupported.forEach(body.putArray("scopes_supported")::add);
        bearerMethods.forEach(body.putArray("bearer_methods_supported")::add);
        if (documentation != null && !documentation.isBlank()) {
            body.put("resource_documentation", documentation);
        }
        exchange.getMessage().setHeader("Cache-Control", "max-age=3600");
        exchange.getMessage().setBody(bytes(body));
    }

    private static Buffer bytes(ObjectNode json) {
        return ReplyBody.of(json.toString().getBytes(StandardCharsets.UTF_8));
    }

    public void setResource(String resource) {
        this.resource = resource;
    }

    public void setAuthorizationServers(String servers) {
        this.authorizationServers = csv(servers);
    }

    public void setScopesSupported(String scopes) {
        this.scopesSupported = csv(scopes);
    }

    public void setBearerMethodsSupported(String methods) {
        this.bearerMethods = csv(methods);
    }

    public void setResourceDocumentation(String documentation) {
        this.documentation = documentation;
    }
}
