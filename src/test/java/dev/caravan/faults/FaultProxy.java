package dev.caravan.faults;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * A proxy between the gateway and one real upstream (the stub LLM provider, an MCP server) that forwards every request
 * as it is, except the next N after {@link #inject}, which meet the fault. It also counts what the gateway holds:
 * connections open and requests not answered in full ({@link #busy}), so a test can tell a stranded call — a request
 * the gateway never gave up on — from an idle pooled connection.
 * <p>
 * Faults are written at the wire: resets are TCP RSTs, garbage goes out past the HTTP encoder, and a cut answer keeps
 * the upstream's own bytes up to the cut. It runs on a Vert.x instance of its own, so the gateway's event loops only
 * ever see it over TCP.
 */
public final class FaultProxy implements AutoCloseable {

    /** What the next requests meet. A refused connection is {@link #refuse()}: no request ever arrives for it. */
    public enum Fault {
        /** the connection is reset (RST) as soon as the request arrived */
        RESET_BEFORE_HEADERS,
        /** the answer's head and part of its body (into its second SSE event, or half of it), then a reset */
        RESET_MID_BODY,
        /** the answer up to the middle of its second SSE event (or half of it), then an orderly close (FIN) */
        HALF_EVENT_THEN_CLOSE,
        /** the request is read and never answered; the connection stays open */
        HANG_BEFORE_HEADERS,
        /** the answer's head and first SSE event (or half of it), then silence; the connection stays open */
        HANG_MID_STREAM,
        /** the answer trickles out, {@link #DRIP_BYTES} bytes every {@link #DRIP_EVERY} */
        SLOW_DRIP,
        /** 503 with the upstream's kind of error body, the upstream not asked */
        STATUS_503,
        /** 429 with {@code Retry-After: 1} and the upstream's kind of error body, the upstream not asked */
        RATE_LIMITED,
        /** bytes that are not HTTP, then a close */
        GARBAGE,
        /** a 200 JSON answer of {@link #OVERSIZED_BYTES}, chunked, the upstream not asked */
        OVERSIZED
    }

    public static final int DRIP_BYTES = 8;
    public static final Duration DRIP_EVERY = Duration.ofMillis(250);
    public static final int OVERSIZED_BYTES = 2 * 1024 * 1024;
    /** how long a peer that crashed mid-answer takes to send its reset, so the partial answer arrives first */
    private static final long RESET_AFTER_MS = 100;
    private static final byte[] GARBAGE = "SSH-2.0-OpenSSH_9.6\r\n\u0000\u00ff\u00fe\u0001 not http at all\r\n\r\n"
            .getBytes(StandardCharsets.ISO_8859_1);
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "te",
            "trailer", "upgrade", "host", "content-length");

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient upstream;
    private final int upstreamPort;
    private final String errorType;
    private final IntFunction<String> errorBody;
    private final int port;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final Set<Pass> unanswered = ConcurrentHashMap.newKeySet();
    private volatile HttpServer server;
    private Fault armed;
    private int armedFor;

    private FaultProxy(int upstreamPort, int port, String errorType, IntFunction<String> errorBody) {
        this.upstreamPort = upstreamPort;
        this.errorType = errorType;
        this.errorBody = errorBody;
        this.upstream = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(50));
        this.port = listen(port);
    }

    /** A proxy in front of an LLM provider on {@code 127.0.0.1:upstreamPort}: its own errors in Anthropic's format. */
    public static FaultProxy llm(int upstreamPort) {
        return llm(upstreamPort, 0);
    }

    /** The same, listening on {@code port} (0: any free port). */
    public static FaultProxy llm(int upstreamPort, int port) {
        return new FaultProxy(upstreamPort, port, "application/json", status -> "{\"type\":\"error\",\"error\":{\"type\":\""
                + (status == 429 ? "rate_limit_error" : "overloaded_error") + "\",\"message\":\"fault proxy: " + status
                + "\"}}");
    }

    /** A proxy in front of an MCP server on {@code 127.0.0.1:upstreamPort}: its own errors as a load balancer's text. */
    public static FaultProxy mcp(int upstreamPort) {
        return mcp(upstreamPort, 0);
    }

    /** The same, listening on {@code port} (0: any free port). */
    public static FaultProxy mcp(int upstreamPort, int port) {
        return new FaultProxy(upstreamPort, port, "text/plain", status -> "fault proxy: " + status);
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The next {@code times} requests meet {@code fault} (replacing what was armed before). */
    public synchronized void inject(Fault fault, int times) {
        armed = fault;
        armedFor = times;
    }

    /** Requests from now on are forwarded as they are. */
    public synchronized void clear() {
        armed = null;
        armedFor = 0;
    }

    private synchronized Fault take() {
        if (armedFor == 0) {
            return null;
        }
        armedFor--;
        return armed;
    }

    /** Requests received since the proxy started. */
    public int requests() {
        return requests.get();
    }

    /** Connections from the gateway open now, idle ones included. */
    public int open() {
        return open.get();
    }

    /** Requests whose connection is open and whose answer has not ended: what the gateway is still waiting on. */
    public int busy() {
        return unanswered.size();
    }

    /** Closes the connections of requests still waiting, so that a call one case stranded cannot hold up the next. */
    public void dropWaiting() {
        unanswered.forEach(pass -> pass.in.connection().close());
    }

    /**
     * Stops listening and closes every connection, so connecting is refused; closing what this returns listens again
     * on the same port.
     */
    public AutoCloseable refuse() {
        await(server.close());
        return () -> listen(port);
    }

    private int listen(int on) {
        HttpServer s = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(on))
                .connectionHandler(connection -> {
                    open.incrementAndGet();
                    connection.closeHandler(v -> open.decrementAndGet());
                })
                .requestHandler(this::handle);
        server = await(s.listen());
        return server.actualPort();
    }

    private void handle(HttpServerRequest in) {
        requests.incrementAndGet();
        Pass pass = new Pass(in, take());
        unanswered.add(pass);
        in.response().endHandler(v -> pass.done()).closeHandler(v -> pass.done());
        in.body().onSuccess(pass::start);
    }

    /** The TCP connection under a request: for what HTTP has no words for (resets, bytes that are not HTTP). */
    private static Channel channel(HttpServerRequest request) {
        return ((ConnectionBase) request.connection()).channel();
    }

    private static void reset(HttpServerRequest request) {
        Channel channel = channel(request);
        channel.config().setOption(ChannelOption.SO_LINGER, 0);
        channel.close();
    }

    /** One request through the proxy: forwarded, answered by the proxy itself, or cut as its fault says. */
    private final class Pass {
        private final HttpServerRequest in;
        private final HttpServerResponse out;
        private final Fault fault;
        private final Buffer held = Buffer.buffer();
        private HttpClientRequest call;
        private boolean sse;
        private boolean cut;
        private boolean upstreamEnded;
        private int dripped;
        private long dripTimer = -1;

        Pass(HttpServerRequest in, Fault fault) {
            this.in = in;
            this.out = in.response();
            this.fault = fault;
        }

        void done() {
            unanswered.remove(this);
            if (dripTimer >= 0) {
                vertx.cancelTimer(dripTimer);
            }
            if (call != null && !upstreamEnded) {
                call.reset(); // the gateway is gone or the answer was cut: the upstream stops too
            }
        }

        void start(Buffer body) {
            if (fault == null) {
                forward(body);
                return;
            }
            switch (fault) {
                case RESET_BEFORE_HEADERS -> reset(in);
                case HANG_BEFORE_HEADERS -> {
                    // read, never answered
                }
                case STATUS_503 -> error(503);
                case RATE_LIMITED -> {
                    out.putHeader("Retry-After", "1");
                    error(429);
                }
                case GARBAGE -> channel(in).pipeline().firstContext()
                        .writeAndFlush(Unpooled.wrappedBuffer(GARBAGE))
                        .addListener(f -> channel(in).close());
                case OVERSIZED -> oversized();
                default -> forward(body);
            }
        }

        private void error(int status) {
            out.setStatusCode(status).putHeader("Content-Type", errorType).end(errorBody.apply(status));
        }

        private void oversized() {
            out.setStatusCode(200).setChunked(true).putHeader("Content-Type", "application/json");
            String filler = "x".repeat(64 * 1024);
            out.write("{\"padding\":\"");
            int written = "{\"padding\":\"".length() + "\"}".length();
            while (written + filler.length() <= OVERSIZED_BYTES) {
                out.write(filler);
                written += filler.length();
            }
            out.write("x".repeat(OVERSIZED_BYTES - written));
            out.end("\"}");
        }

        private void forward(Buffer body) {
            RequestOptions options = new RequestOptions().setMethod(in.method()).setHost("127.0.0.1")
                    .setPort(upstreamPort).setURI(in.uri());
            in.headers().forEach(h -> {
                if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                    options.addHeader(h.getKey(), h.getValue());
                }
            });
            upstream.request(options).onComplete(created -> {
                if (created.failed() || out.closed()) {
                    answerUnreachable();
                    return;
                }
                call = created.result();
                call.send(body).onComplete(answered -> {
                    if (answered.failed()) {
                        answerUnreachable();
                    } else {
                        relay(answered.result());
                    }
                });
            });
        }

        /** The upstream itself is down (a backend being restarted): what a load balancer in front of it says. */
        private void answerUnreachable() {
            if (!out.closed() && !out.headWritten()) {
                out.setStatusCode(502).end();
            }
        }

        private void relay(HttpClientResponse answer) {
            out.setStatusCode(answer.statusCode());
            answer.headers().forEach(h -> {
                if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                    out.headers().add(h.getKey(), h.getValue());
                }
            });
            out.setChunked(true);
            String type = answer.getHeader("Content-Type");
            sse = type != null && type.startsWith("text/event-stream");
            out.writeHead();
            answer.handler(this::chunk);
            answer.endHandler(v -> {
                upstreamEnded = true;
                if (fault == null) {
                    out.end();
                } else if (fault == Fault.SLOW_DRIP) {
                    drip();
                } else if (!cut) {
                    cutAt(cutPoint(true));
                }
            });
        }

        private void chunk(Buffer data) {
            if (fault == null) {
                out.write(data);
                return;
            }
            if (cut) {
                return;
            }
            held.appendBuffer(data);
            if (fault == Fault.SLOW_DRIP) {
                if (dripTimer < 0) {
                    drip();
                    dripTimer = vertx.setPeriodic(DRIP_EVERY.toMillis(), t -> drip());
                }
                return;
            }
            int at = cutPoint(false);
            if (at >= 0) {
                cutAt(at);
            }
        }

        private void drip() {
            if (out.closed()) {
                return;
            }
            int next = Math.min(held.length(), dripped + DRIP_BYTES);
            if (next > dripped) {
                out.write(held.slice(dripped, next).copy());
                dripped = next;
            }
            if (upstreamEnded && dripped == held.length()) {
                out.end();
            }
        }

        /**
         * Where the answer is cut, or -1 until enough of it arrived: after the first SSE event for a hang, in the middle
         * of the second for a reset or close (the first one, or half a JSON body, when the answer has no more).
         */
        private int cutPoint(boolean ended) {
            String text = held.toString(StandardCharsets.ISO_8859_1);
            if (!sse) {
                return ended ? text.length() / 2 : -1;
            }
            int first = eventEnd(text, 0);
            if (first < 0) {
                return ended ? text.length() / 2 : -1;
            }
            if (fault == Fault.HANG_MID_STREAM) {
                return first;
            }
            int second = eventEnd(text, first);
            if (second < 0) {
                return ended ? first + (text.length() - first) / 2 : -1;
            }
            return first + (second - first) / 2;
        }

        private void cutAt(int at) {
            cut = true;
            if (call != null) {
                call.reset();
                call = null;
            }
            Future<Void> written = at > 0 ? out.write(held.slice(0, at).copy()) : Future.succeededFuture();
            written.onComplete(w -> {
                switch (fault) {
                    case RESET_MID_BODY -> vertx.setTimer(RESET_AFTER_MS, t -> reset(in));
                    case HALF_EVENT_THEN_CLOSE -> in.connection().close();
                    default -> {
                        // HANG_MID_STREAM: silence, the connection open
                    }
                }
            });
        }
    }

    /** The index just past the blank line that ends the SSE event starting at {@code from}, or -1. */
    private static int eventEnd(String text, int from) {
        int lf = text.indexOf("\n\n", from);
        int crlf = text.indexOf("\r\n\r\n", from);
        if (lf < 0 && crlf < 0) {
            return -1;
        }
        return lf >= 0 && (crlf < 0 || lf < crlf) ? lf + 2 : crlf + 4;
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("fault proxy: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        await(vertx.close());
    }
}
