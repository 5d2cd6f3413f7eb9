package dev.caravan.proxy;

import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
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
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.apache.camel.util.TimeUtils;

import dev.caravan.core.Secrets;
import dev.caravan.telemetry.GatewayMetrics;
import dev.caravan.telemetry.Traces;

/**
 * The one proxy path of the gateway, for MCP backends and LLM providers alike. Sends an {@link UpstreamRequest} to its
 * {@link Upstream} and either relays the answer to the waiting client chunk by chunk (when the request carries a
 * {@link ResponseRelay} that accepts it) or captures it into the exchange (status in {@code CamelHttpResponseCode},
 * headers, body as bytes).
 * <p>
 * Camel's own HTTP producers buffer whole answers and then hand them to platform-http; that turns a long SSE answer
 * into one late burst and halved throughput when measured here, so this talks Vert.x directly and writes each
 * upstream chunk to the client response as it arrives.
 * <p>
 * The upstream request's headers are the request's own (the gateway's protocol headers, or the allow-listed headers of
 * the client's real request), then the configured and the call's headers. Nothing on the Camel message goes along,
 * whatever a client or a route left there; an upstream only ever sees the credentials configured for it. A request
 * that cannot be built (a header value or URL the HTTP client refuses) fails at once, before a connection is taken.
 */
public final class UpstreamCall {

    private static final Set<String> NOT_RETURNED = Set.of(
            "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
            "content-length", "set-cookie");
    private static final long CONNECT_TIMEOUT_MS = 10_000;

    private final Vertx vertx;
    private final UpstreamPool pool;
    private final int maxCaptureBytes;
    /** resolves {@code {{secret:...}}} references in URLs and configured headers, on every call */
    private final Secrets secrets;
    private final Traces traces;
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

    /** The upstream's path and the call's, with one slash between them. */
    private static String join(String base, String path) {
        return !path.isEmpty() && base.endsWith("/") && path.charAt(0) == '/' ? base + path.substring(1) : base + path;
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
        this.maxCaptureBytes = maxCaptureBytes;
        this.secrets = secrets;
        this.traces = traces;
    }

    /**
     * Sends {@code call}; {@code callback} runs when its answer was captured or relayed, or it failed (the exchange's
     * exception is then an {@link UpstreamException}). Returns true when it completed at once (nothing was sent).
     */
    public boolean send(Exchange exchange, UpstreamRequest call, AsyncCallback callback) {
        call.started();
        if (!poolGauges) {
            poolGauges = true;
            GatewayMetrics.of(exchange.getContext()).upstreamPool(pool.connections(), pool.calls());
        }
        Upstream upstream = call.upstream();
        String name = upstream.name();
        boolean longLived = call.longLived();
        long limit = upstream.timeoutMillis();
        long timeout = longLived ? Long.MAX_VALUE
                : call.deadline() == 0 ? limit : Math.min(limit, call.deadline() - System.currentTimeMillis());
        if (timeout <= 0) {
            return refuse(exchange, callback, name, UpstreamException.Kind.TIMEOUT, "no time left to call");
        }
        MultiMap headers;
        Target target;
        String url;
        int path;
        try {
            // a credential may also sit in the URL (an API key as a query parameter)
            url = secrets.resolve(upstream.url());
            path = pathStart(url);
            target = targets.computeIfAbsent(url.substring(0, path), UpstreamCall::target);
            headers = headers(call);
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
            uri = requestTarget(join(url.substring(path), call.path()));
            forward(call.headers(), headers);
        } catch (IllegalArgumentException e) {
            // Vert.x checks headers and the URL only after it took a pooled connection, and then loses both the
            // failure and the connection: refuse here, before anything is held
            return refuse(exchange, callback, name, UpstreamException.Kind.REQUEST,
                    "the request cannot be sent: a header or the URL holds characters HTTP does not allow");
        }
        String method = call.method();
        Span span = traces.upstream(exchange, call.spanName(), call.spanAttributes(), method, target.host(),
                target.port(), headers);
        RequestOptions options = target.apply(new RequestOptions(), uri).setMethod(HttpMethod.valueOf(method))
                .setHeaders(headers)
                .setConnectTimeout(Math.min(CONNECT_TIMEOUT_MS, timeout));
        Buffer body = toBuffer(exchange, call.body());
        ResponseRelay relay = call.relay();
        HttpServerResponse clientResponse = relay == null ? null : clientResponse(exchange);
        long idle = longLived ? 0 : Math.min(upstream.idleMillis(), timeout);
        long firstByte = longLived ? 0
                : Math.min(call.firstByteMillis() > 0 ? call.firstByteMillis() : upstream.firstByteMillis(), timeout);
        Call running = new Call(exchange, call, callback, name, clientResponse == null ? null : relay, clientResponse,
                span);
        Context context = Vertx.currentContext();
        long callTimeout = longLived ? 0 : timeout;
        (context != null ? context : vertx.getOrCreateContext())
                .runOnContext(v -> running.start(options, body, callTimeout, idle, firstByte));
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
    private MultiMap headers(UpstreamRequest call) {
        MultiMap headers = HttpHeaders.headers();
        for (Map.Entry<String, String> h : call.upstream().headers()) {
            headers.set(h.getKey(), secrets.resolve(h.getValue()));
        }
        call.callHeaders().forEach(headers::set);
        return headers;
    }

    /** Adds the headers the call forwards; a configured one of a name wins. */
    private static void forward(MultiMap forwarded, MultiMap headers) {
        for (String name : forwarded.names()) {
            if (!headers.contains(name)) {
                headers.add(name, forwarded.getAll(name));
            }
        }
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

    /** The state of one upstream call; all its methods run on one Vert.x context. */
    private final class Call {
        private final Exchange exchange;
        private final UpstreamRequest call;
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

        Call(Exchange exchange, UpstreamRequest call, AsyncCallback callback, String name, ResponseRelay relay,
             HttpServerResponse clientResponse, Span span) {
            this.exchange = exchange;
            this.call = call;
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
            // on the call's own context: the client of its event loop
            pool.client().request(options).onComplete(created -> {
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
            call.relayedStatus(status);
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
            call.relayError(error);
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
            UpstreamException broke = error != null ? error : call.relayError();
            Traces.end(span, status, broke == null ? null : broke.kind().name().toLowerCase(Locale.ROOT),
                    streaming && span.getSpanContext().isValid() ? relay.traceAttributes() : Map.of());
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
