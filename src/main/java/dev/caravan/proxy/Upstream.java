package dev.caravan.proxy;

import java.util.List;
import java.util.Map;

import org.apache.camel.util.TimeUtils;

/**
 * What an upstream is (an MCP backend, an LLM provider): its name, base URL, time limits and configured headers,
 * read once when its route is built. Built again when the route is (a hot reload), so changed settings take effect.
 * The URL and header values may hold {@code {{secret:...}}} placeholders: they are resolved on every call (a rotated
 * secret file is picked up), never stored resolved.
 */
public final class Upstream {

    private static final long DEFAULT_TIMEOUT_MS = 300_000;

    private final String name;
    private final String url;
    private final long timeoutMillis;
    private final long idleMillis;
    private final long firstByteMillis;
    private final List<Map.Entry<String, String>> headers;

    /**
     * @param timeout     the longest a whole call may take (Camel duration, e.g. {@code 300s}); blank: 300 s
     * @param idleTimeout the longest the upstream may stay silent; blank: the timeout
     * @param headers     configured headers, one {@code Name: value} per line (its own credentials); may be blank
     */
    public Upstream(String name, String url, String timeout, String idleTimeout, String headers) {
        this(name, url, timeout, idleTimeout, null, headers);
    }

    /** @param firstByteTimeout the longest to wait for the answer's status line and headers; blank: the timeout */
    public Upstream(String name, String url, String timeout, String idleTimeout, String firstByteTimeout,
                    String headers) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("upstream " + name + " has no URL");
        }
        this.name = name;
        this.url = url.strip();
        this.timeoutMillis = millis(timeout, DEFAULT_TIMEOUT_MS);
        this.idleMillis = millis(idleTimeout, timeoutMillis);
        this.firstByteMillis = millis(firstByteTimeout, timeoutMillis);
        this.headers = headers == null ? List.of() : parseHeaders(headers);
    }

    public String name() {
        return name;
    }

    /** The URL as configured (secret placeholders unresolved); a call appends its path to it. */
    public String url() {
        return url;
    }

    public long timeoutMillis() {
        return timeoutMillis;
    }

    public long idleMillis() {
        return idleMillis;
    }

    public long firstByteMillis() {
        return firstByteMillis;
    }

    /** The configured headers, values as configured (secret placeholders unresolved). */
    List<Map.Entry<String, String>> headers() {
        return headers;
    }

    private static long millis(String value, long fallback) {
        return value == null || value.isBlank() ? fallback : TimeUtils.toMilliSeconds(value.strip());
    }

    /** Parses {@code Name: value} lines; a line without a colon is a configuration error. */
    static List<Map.Entry<String, String>> parseHeaders(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).map(l -> {
            int colon = l.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("upstream header line must look like 'Name: value', got: "
                                                   + l.substring(0, Math.min(l.length(), 20)) + "...");
            }
            return Map.entry(l.substring(0, colon).strip(), l.substring(colon + 1).strip());
        }).toList();
    }
}
