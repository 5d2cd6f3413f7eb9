package dev.caravan.core;

import java.util.Locale;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

/**
 * The one way to read what the client sent. Camel's platform-http would copy query parameters and path parameters into
 * the message headers next to the real request headers, so {@code ?x-org=engineering} would look like an {@code x-org}
 * header; the gateway's listener maps no request header into the message at all (EventLoopPlatformHttpConsumer), and
 * policy facts, tokens and transport headers are read here, from the Vert.x request itself. An exchange that
 * did not come over HTTP (a unit test's) has only the headers its creator set, and those are its request.
 */
public final class ClientRequest {

    private ClientRequest() {
    }

    /** A header of the client's request (the first, if it came more than once), or null. */
    public static String header(Exchange exchange, String name) {
        HttpServerRequest request = request(exchange);
        return request != null ? request.getHeader(name) : exchange.getIn().getHeader(name, String.class);
    }

    /** A header of the client's request, or {@code fallback} when it has none. */
    public static String header(Exchange exchange, String name, String fallback) {
        String value = header(exchange, name);
        return value != null ? value : fallback;
    }

    /** The headers of the client's request. */
    public static MultiMap headers(Exchange exchange) {
        HttpServerRequest request = request(exchange);
        if (request != null) {
            return request.headers();
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        exchange.getIn().getHeaders().forEach((name, value) -> {
            if (!camel(name) && value != null) {
                headers.add(name, value.toString());
            }
        });
        return headers;
    }

    /** The request's HTTP method, e.g. {@code POST}. */
    public static String method(Exchange exchange) {
        HttpServerRequest request = request(exchange);
        return request != null ? request.method().name()
                : exchange.getIn().getHeader(Exchange.HTTP_METHOD, "POST", String.class);
    }

    /** The request's path as sent (still percent-encoded). */
    public static String path(Exchange exchange) {
        HttpServerRequest request = request(exchange);
        return request != null ? request.path() : exchange.getIn().getHeader(Exchange.HTTP_PATH, "", String.class);
    }

    /** The request's query string as sent, without '?', or null. */
    public static String query(Exchange exchange) {
        HttpServerRequest request = request(exchange);
        return request != null ? request.query() : exchange.getIn().getHeader(Exchange.HTTP_QUERY, String.class);
    }

    private static boolean camel(String name) {
        return name.toLowerCase(Locale.ROOT).startsWith("camel");
    }

    private static HttpServerRequest request(Exchange exchange) {
        return exchange.getIn() instanceof HttpMessage http ? http.getRequest() : null;
    }
}
