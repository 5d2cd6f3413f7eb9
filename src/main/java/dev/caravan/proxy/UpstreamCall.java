package dev.caravan.proxy;

import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.channel.ConnectTimeoutException;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.apache.camel.support.AsyncProcessorSupport;
import org.apache.camel.util.TimeUtils;

import dev.caravan.core.Secrets;
import dev.caravan.telemetry.GatewayMetrics;
import dev.caravan.telemetry.Traces;

/**
 * The one proxy path of the gateway, for MCP backends and LLM providers alike. Sends the exchange's message to the
 * URL in {@link #URL} and either relays the answer to the waiting client chunk by chunk (when the exchange carries a
 * {@link ResponseRelay} that accepts it) or captures it into the exchange.
 * <p>
 * Camel's own HTTP producers buffer whole answers and then hand them to platform-http; that turns a long SSE answer
 * into one late burst and halved throughput when measured here, so this processor talks Vert.x directly and writes
 * each upstream chunk to the client response as it arrives.
 * <p>
 * Properties read from the exchange: {@link #URL}, {@link #NAME}, {@link #TIMEOUT}, {@link #IDLE_TIMEOUT},
 * {@link #FIRST_BYTE_TIMEOUT}, {@link #FORWARDED_HEADERS}, {@link #HEADERS}, {@link #CALL_HEADERS}, {@link #DEADLINE},
 * {@link #RELAY}. The method comes from the {@code CamelHttpMethod} header (default POST), the body from the message.
 * The upstream request's headers are built from an allow-list: the message headers named in
 * {@link #FORWARDED_HEADERS} (the step that prepared the call put them there: the gateway's own protocol headers, or
 * the allow-listed headers of the client's real request), then the configured and the call's headers. Nothing else on
 * the message goes along, whatever a client or a route left there; an upstream only ever sees the credentials
 * configured for it. A request that cannot be built (a header value or URL the HTTP client refuses) fails at once,
 * before a connection is taken.
 */
public final class UpstreamCall extends AsyncProcessorSupport implements AsyncProcessor {

    public static final String URL = "caravan.upstream.url";
    public static final String NAME = "caravan.upstream.name";
    /** the longest a whole call may take, e.g. {@code 300s} */
    public static final String TIMEOUT = "caravan.upstream.timeout";
    /** the longest the upstream may stay silent, defaults to the timeout */
    public static final String IDLE_TIMEOUT = "caravan.upstream.idle-timeout";
    /** the longest to wait for the answer's status line and headers, defaults to the timeout */
    public static final String FIRST_BYTE_TIMEOUT = "caravan.upstream.first-byte-timeout";
    /**
     * the names of the message headers that go upstream, a {@code Collection<String>} (case does not matter); every
     * other message header stays behind. Unset: none.
     */
    public static final String FORWARDED_HEADERS = "caravan.upstream.forwarded-headers";
    /** extra headers, one {@code Name: value} per line, e.g. the upstream's own credentials */
    public static final String HEADERS = "caravan.upstream.headers";
    /** headers for this call only, a {@code Map<String, String>} (a credential fetched for it), applied last */
    public static final String CALL_HEADERS = "caravan.upstream.call-headers";
    /** an absolute end (epoch millis) set by a caller that needs the answer sooner than the upstream's timeout */
    public static final String DEADLINE = "caravan.upstream.deadline";
    /** true for a stream meant to stay open (an MCP GET stream): no call or idle timeout, it ends with either side */
    public static final String LONG_LIVED = "caravan.upstream.long-lived";
    public static final String RELAY = "caravan.upstream.relay";
    /** set to the upstream's status once an answer was relayed to the client (the response is then complete) */
    public static final String RELAYED_STATUS = "caravan.upstream.relayed-status";
    /** set when a relayed answer broke off after its head was sent; the exchange itself is not failed then */
    public static final String RELAY_ERROR = "caravan.upstream.relay-error";
    /** the name of the call's trace span, e.g. {@code chat claude-sonnet-4-6} (default: the HTTP method) */
    public static final String SPAN_NAME = "caravan.upstream.span-name";
    /** attributes of the call's trace span, a {@code Map<String, Object>} */
    public static final String SPAN_ATTRIBUTES = "caravan.upstream.span-attributes";

    private static final Set<String> NOT_RETURNED = Set.of(
            "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
            "content-length", "set-cookie");
    private static final long DEFAULT_TIMEOUT_MS = 300_000;
    private static final long CONNECT_TIMEOUT_MS = 10_000;

    private final Vertx vertx;
    private final HttpClient client;
    private final UpstreamPool pool;
    private final int maxCaptureBytes;
    /** resolves {@code {{secret:...}}} references in URLs and configured headers, on every call */
    private final Secrets secrets;
    private final Traces traces;
    private final Map<String, List<Map.Entry<String, String>>> staticHeaders = new ConcurrentHashMap<>();
    /** whether the pool's gauges are registered: on the first call, when the context's meter registry exists */
    private volatile boolean poolGauges;
    /**
     * parsed upstream origins ({@code scheme://host:port}): there are few, and parsing one per request showed in
     * profiles. Keyed by origin only, since paths carry what clients chose (a model name) and would grow it unbounded.
     */
    private final Map<String, Target> targets = new ConcurrentHashMap<>();

    private record Target(String host, int port, boolean ssl) {
        RequestOptions apply(RequestOptions options, String uri) {
            return options.setHost(host).setPort(port).setSsl(ssl).setURI(uri);
        }
    }

    private static Target target(String origin) {
        URI u = URI.create(origin);
        boolean ssl = "https".equalsIgnoreCase(u.getScheme());
        if (!ssl && !"http".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
            throw new IllegalArgumentException("upstream URL must be http(s)://host[:port]/path");
        }
        return new Target(u.getHost(), u.getPort() > 0 ? u.getPort() : ssl ? 443 : 80, ssl);
    }

    /** Where the path of an absolute URL starts (its length when it has none). */
    private static int pathStart(String url) {
        int scheme = url.indexOf("://");
        int from = scheme < 0 ? 0 : scheme + 3;
        for (int i = from; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                return i;
            }
        }
        return url.length();
    }

    /** A request target as HTTP allows it on the wire: printable ASCII only (anything else is percent-encoded). */
    private static String requestTarget(String rest) {
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new IllegalArgumentException("the upstream URL holds a character HTTP does not allow");
            }
        }
        return rest.isEmpty() ? "/" : rest.charAt(0) == '/' ? rest : "/" + rest;
    }

    public UpstreamCall(Vertx vertx, UpstreamPool pool, int maxCaptureBytes, Secrets secrets, Traces traces) {
        this.vertx = vertx;
        this.pool = pool;
        this.client = pool.client();
        this.maxCaptureBytes = maxCaptureBytes;
        this.secrets = secrets;
        this.traces = traces;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        String url = exchange.getProperty(URL, String.class);
        if (url == null) {
            exchange.setException(new IllegalStateException("no upstream URL on the exchange (" + URL + ")"));
            callback.done(true);
            return true;
        }
        if (!poolGauges) {
            poolGauges = true;
            GatewayMetrics.of(exchange.getContext()).upstreamPool(pool.connections(), pool.calls());
        }
        String name = exchange.getProperty(NAME, "upstream", String.class);
        boolean longLived = exchange.getProperty(LONG_LIVED, false, Boolean.class);
        long limit = longLived ? 0 : millis(exchange.getProperty(TIMEOUT, String.class), DEFAULT_TIMEOUT_MS);
        long idle = longLived ? 0 : millis(exchange.getProperty(IDLE_TIMEOUT, String.class), limit);
        long firstByte = longLived ? 0 : millis(exchange.getProperty(FIRST_BYTE_TIMEOUT, String.class), limit);
        Long deadline = longLived ? null : exchange.getProperty(DEADLINE, Long.class);
        long timeout = longLived ? Long.MAX_VALUE
                : deadline == null ? limit : Math.min(limit, deadline - System.currentTimeMillis());
        if (timeout <= 0) {
            exchange.setException(new UpstreamException(name, UpstreamException.Kind.TIMEOUT, "no time left to call"));
            callback.done(true);
            return true;
        }
        Message message = exchange.getMessage();
        MultiMap headers;
        Target target;
        int path;
        try {
            // a credential may also sit in the URL (an API key as a query parameter)
            url = secrets.resolve(url);
            path = pathStart(url);
            target = targets.computeIfAbsent(url.substring(0, path), UpstreamCall::target);
            headers = configuredHeaders(exchange);
        } catch (IllegalStateException e) {
            // a credential that cannot be read: the upstream must not be called without it
            return refuse(exchange, callback, name, UpstreamException.Kind.CONFIG, e.getMessage());
        } catch (IllegalArgumentException e) {
            // (Vert.x's message would quote the value, which may be a secret)
            return refuse(exchange, callback, name, UpstreamException.Kind.CONFIG,
                    "its URL or a configured header is not valid HTTP");
        }
        String uri;
        try {
            uri = requestTarget(url.substring(path));
            forward(exchange, message, headers);
        } catch (IllegalArgumentException e) {
            // Vert.x checks headers and the URL only after it took a pooled connection, and then loses both the
            // failure and the connection: refuse here, before anything is held
            return refuse(exchange, callback, name, UpstreamException.Kind.REQUEST,
                    "the request cannot be sent: a header or the URL holds characters HTTP does not allow");
        }
        String method = message.getHeader(Exchange.HTTP_METHOD, "POST", String.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> spanAttributes = exchange.getProperty(SPAN_ATTRIBUTES, Map.of(), Map.class);
        Span span = traces.upstream(exchange, exchange.getProperty(SPAN_NAME, method, String.class), spanAttributes,
                method, target.host(), target.port(), headers);
        RequestOptions options = target.apply(new RequestOptions(), uri).setMethod(HttpMethod.valueOf(method))
                .setHeaders(headers)
                .setConnectTimeout(Math.min(CONNECT_TIMEOUT_MS, timeout));
        Buffer body = toBuffer(exchange, message.getBody());
        ResponseRelay relay = exchange.getProperty(RELAY, ResponseRelay.class);
        HttpServerResponse clientResponse = relay == null ? null : clientResponse(exchange);
        Call call = new Call(exchange, callback, name, relay == null || clientResponse == null ? null : relay,
                clientResponse, span);
        Context context = Vertx.currentContext();
        (context != null ? context : vertx.getOrCreateContext())
                .runOnContext(v -> call.start(options, body, longLived ? 0 : timeout, Math.min(idle, timeout),
                        Math.min(firstByte, timeout)));
        return false;
    }

    /** The Vert.x response of the client request this exchange serves, or null when it does not serve one. */
    public static HttpServerResponse clientResponse(Exchange exchange) {
        return exchange.getIn() instanceof HttpMessage hm ? hm.getResponse() : null;
    }

    /** Copies upstream answer headers that make sense to a client (no hop-by-hop, no cookies of the upstream). */
    public static void copyAnswerHeaders(MultiMap from, HttpServerResponse to) {
        from.forEach(e -> {
            if (!NOT_RETURNED.contains(e.getKey().toLowerCase(Locale.ROOT))) {
                to.headers().add(e.getKey(), e.getValue());
            }
        });
    }

    private static boolean refuse(Exchange exchange, AsyncCallback callback, String name, UpstreamException.Kind kind,
                                  String why) {
        exchange.setException(new UpstreamException(name, kind, why));
        callback.done(true);
        return true;
    }

    /**
     * The headers configured for the upstream, then the call's own, in Vert.x's checking header map: it refuses a
     * value with CR, LF or NUL, or a malformed name, as it is added.
     */
    private MultiMap configuredHeaders(Exchange exchange) {
        MultiMap headers = HttpHeaders.headers();
        String configured = exchange.getProperty(HEADERS, String.class);
        if (configured != null && !configured.isBlank()) {
            for (Map.Entry<String, String> h : staticHeaders.computeIfAbsent(configured, UpstreamCall::parseHeaders)) {
                headers.set(h.getKey(), secrets.resolve(h.getValue()));
            }
        }
        Map<?, ?> callHeaders = exchange.getProperty(CALL_HEADERS, Map.class);
        if (callHeaders != null) {
            callHeaders.forEach((k, v) -> headers.set(k.toString(), v.toString()));
        }
        return headers;
    }

    /** Adds the message headers the call forwards ({@link #FORWARDED_HEADERS}); a configured one of a name wins. */
    private static void forward(Exchange exchange, Message message, MultiMap headers) {
        Collection<?> forwarded = exchange.getProperty(FORWARDED_HEADERS, Collection.class);
        if (forwarded == null) {
            return;
        }
        for (Object listed : forwarded) {
            String name = listed.toString();
            Object value = message.getHeader(name);
            if (value == null || headers.contains(name)) {
                continue;
            }
            if (value instanceof Iterable<?> values) {
                values.forEach(v -> headers.add(name, String.valueOf(v)));
            } else {
                headers.add(name, value.toString());
            }
        }
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

    private static Buffer toBuffer(Exchange exchange, Object body) {
        if (body == null) {
            return Buffer.buffer();
        }
        if (body instanceof Buffer b) {
            return b;
        }
        if (body instanceof byte[] bytes) {
            return Buffer.buffer(bytes);
        }
        if (body instanceof String s) {
            return Buffer.buffer(s);
        }
        return Buffer.buffer(exchange.getContext().getTypeConverter().convertTo(byte[].class, exchange, body));
    }

    private static long millis(String value, long fallback) {
        return value == null || value.isBlank() ? fallback : TimeUtils.toMilliSeconds(value);
    }

    /** The state of one upstream call; all its methods run on one Vert.x context. */
    private final class Call {
        private final Exchange exchange;
        private final AsyncCallback callback;
        private final String name;
        private final ResponseRelay relay;
        private final HttpServerResponse clientResponse;
        private final Span span;
        private final AtomicBoolean done = new AtomicBoolean();
        private HttpClientRequest request;
        private UpstreamException abortReason;
        private boolean streaming;
        private long timer = -1;
        private long idleTimer = -1;
        private long headTimer = -1;
        private long lastData;
        private int status;

        Call(Exchange exchange, AsyncCallback callback, String name, ResponseRelay relay,
             HttpServerResponse clientResponse, Span span) {
            this.exchange = exchange;
            this.callback = callback;
            this.name = name;
            this.relay = relay;
            this.clientResponse = clientResponse;
            this.span = span;
        }

        /** @param timeout {@code idle} and {@code firstByte}: 0 for none */
        void start(RequestOptions options, Buffer body, long timeout, long idle, long firstByte) {
            pool.calls().incrementAndGet();
            if (timeout > 0) {
                timer = vertx.setTimer(timeout, id -> abort(new UpstreamException(name,
                        UpstreamException.Kind.TIMEOUT, "no complete answer within "
                                                        + TimeUtils.printDuration(timeout, true))));
            }
            if (firstByte > 0 && firstByte < timeout) {
                // a hung upstream is given up early, while the caller still has time for another
                headTimer = vertx.setTimer(firstByte, id -> abort(new UpstreamException(name,
                        UpstreamException.Kind.TIMEOUT, "no answer within " + TimeUtils.printDuration(firstByte, true))));
            }
            lastData = System.nanoTime();
            if (idle > 0) {
                watchIdle(idle);
            }
            if (relay != null) {
                relay.onClientGone(clientResponse, () -> abort(new UpstreamException(name,
                        UpstreamException.Kind.CLIENT_GONE, "client disconnected")));
            }
            client.request(options).onComplete(created -> {
                if (created.failed()) {
                    finish(classify(created.cause()));
                    return;
                }
                request = created.result();
                if (done.get()) {
                    request.reset();
                    return;
                }
                try {
                    send(body);
                } catch (RuntimeException e) {
                    // an exception in this handler would vanish into Vert.x and leave the call and its connection
                    // held until the timeout: give the connection back and fail the call now
                    abort(new UpstreamException(name, UpstreamException.Kind.REQUEST, "the request cannot be sent"));
                }
            });
        }

        private void send(Buffer body) {
            request.send(body).onComplete(answered -> {
                if (answered.failed()) {
                    fail(classify(answered.cause()));
                    return;
                }
                try {
                    onResponse(answered.result());
                } catch (RuntimeException e) {
                    // a relay or the client response misbehaved: end the call rather than leave it hanging
                    abort(new UpstreamException(name, UpstreamException.Kind.PROTOCOL, e.getMessage()));
                }
            });
        }

        /**
         * Aborts when nothing arrived for {@code idle} ms. Vert.x's own idle timeout does not cover a response that
         * started streaming and then went silent, so the call watches its last data itself.
         */
        private void watchIdle(long idle) {
            long silentFor = (System.nanoTime() - lastData) / 1_000_000;
            if (silentFor >= idle) {
                abort(new UpstreamException(name, UpstreamException.Kind.IDLE,
                        "no data for " + TimeUtils.printDuration(idle, true)));
            } else if (!done.get()) {
                idleTimer = vertx.setTimer(idle - silentFor, id -> watchIdle(idle));
            }
        }

        private void onResponse(HttpClientResponse response) {
            if (done.get()) {
                return;
            }
            cancelHeadTimer();
            lastData = System.nanoTime();
            status = response.statusCode();
            response.exceptionHandler(t -> fail(classify(t)));
            if (relay != null && relay.relays(status, response.headers())) {
                relay(response, status);
            } else {
                capture(response, status);
            }
        }

        private void capture(HttpClientResponse response, int status) {
            String length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && Long.parseLong(length.strip()) > maxCaptureBytes) {
                abort(tooLarge());
                return;
            }
            Buffer captured = Buffer.buffer();
            response.handler(chunk -> {
                lastData = System.nanoTime();
                if (captured.length() + chunk.length() > maxCaptureBytes) {
                    abort(tooLarge());
                } else {
                    captured.appendBuffer(chunk);
                }
            });
            response.endHandler(v -> {
                if (done.get()) {
                    return;
                }
                Message message = exchange.getMessage();
                message.getHeaders().clear();
                response.headers().forEach(e -> {
                    if (!NOT_RETURNED.contains(e.getKey().toLowerCase(Locale.ROOT))) {
                        message.setHeader(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
                    }
                });
                message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
                message.setBody(captured.getBytes());
                finish(null);
            });
        }

        private void relay(HttpClientResponse response, int status) {
            streaming = true;
            relay.head(status, response.headers(), clientResponse);
            if (!clientResponse.headWritten() && !clientResponse.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
                clientResponse.setChunked(true);
            }
            exchange.setProperty(RELAYED_STATUS, status);
            response.handler(chunk -> {
                lastData = System.nanoTime();
                Buffer out;
                try {
                    out = relay.chunk(chunk);
                } catch (RuntimeException e) {
                    abort(new UpstreamException(name, UpstreamException.Kind.PROTOCOL, e.getMessage()));
                    return;
                }
                if (out != null && out.length() > 0) {
                    clientResponse.write(out);
                    if (clientResponse.writeQueueFull()) {
                        response.pause();
                        clientResponse.drainHandler(v -> response.resume());
                    }
                }
            });
            response.endHandler(v -> {
                if (!done.get()) {
                    relay.end(clientResponse);
                    finish(null);
                }
            });
        }

        private UpstreamException tooLarge() {
            return new UpstreamException(name, UpstreamException.Kind.TOO_LARGE,
                    "answer larger than " + maxCaptureBytes + " bytes");
        }

        /** Stops the call for a reason of the gateway's own (timeout, client gone, too large). */
        private void abort(UpstreamException reason) {
            if (done.get()) {
                return;
            }
            abortReason = reason;
            if (request != null) {
                request.reset(0, reason);
            }
            fail(reason);
        }

        private void fail(UpstreamException error) {
            if (done.get()) {
                return;
            }
            if (!streaming) {
                finish(error);
                return;
            }
            exchange.setProperty(RELAY_ERROR, error);
            if (error.kind() != UpstreamException.Kind.CLIENT_GONE) {
                relay.fail(error, clientResponse);
            }
            finish(null);
        }

        private void finish(UpstreamException error) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            pool.calls().decrementAndGet();
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            if (idleTimer >= 0) {
                vertx.cancelTimer(idleTimer);
            }
            cancelHeadTimer();
            if (error != null) {
                exchange.setException(error);
            }
            UpstreamException broke = error != null ? error : exchange.getProperty(RELAY_ERROR, UpstreamException.class);
            Traces.end(span, status, broke == null ? null : broke.kind().name().toLowerCase(Locale.ROOT),
                    streaming ? relay.traceAttributes() : Map.of());
            callback.done(false);
        }

        private void cancelHeadTimer() {
            if (headTimer >= 0) {
                vertx.cancelTimer(headTimer);
                headTimer = -1;
            }
        }

        private UpstreamException classify(Throwable t) {
            if (abortReason != null) {
                return abortReason;
            }
            if (t instanceof UpstreamException u) {
                return u;
            }
            if (t instanceof ConnectTimeoutException) {
                return new UpstreamException(name, UpstreamException.Kind.CONNECT, "cannot connect (timed out)");
            }
            if (t instanceof UnknownHostException) {
                return new UpstreamException(name, UpstreamException.Kind.CONNECT, "cannot connect (unknown host)");
            }
            if (t instanceof ConnectException) {
                return new UpstreamException(name, UpstreamException.Kind.CONNECT, "cannot connect (refused)");
            }
            if (t instanceof TimeoutException) {
                return new UpstreamException(name, UpstreamException.Kind.TIMEOUT, "timed out");
            }
            String why = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            return new UpstreamException(name, UpstreamException.Kind.PROTOCOL, why);
        }
    }
}
