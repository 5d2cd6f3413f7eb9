package dev.caravan.proxy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.impl.ContextInternal;

/**
 * The upstream HTTP clients shared by every MCP backend and LLM provider, with what they hold counted: TCP connections
 * open (idle pooled ones included) and calls in flight. A fault that strands a call or a connection shows as a count
 * that never falls back (metrics {@code caravan_upstream_connections_open}, {@code caravan_upstream_calls_active}).
 * <p>
 * One client per event loop: Vert.x's pool hands a call the most recently used idle connection whatever event loop it
 * lives on, so a call made on one loop would often write its request and read its answer on the other, two thread
 * hand-offs per call. With a pool per loop, a call's connection is always on the loop the call runs on (the
 * connection limit applies per host and loop).
 */
public final class UpstreamPool {

    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger calls = new AtomicInteger();
    private final Vertx vertx;
    private final HttpClientOptions options;
    private final PoolOptions pool;
    private final Map<EventLoop, HttpClient> byLoop = new ConcurrentHashMap<>();
    /** for calls made off the event loops */
    private final HttpClient shared;

    public UpstreamPool(Vertx vertx, HttpClientOptions options, PoolOptions pool) {
        this.vertx = vertx;
        this.options = options;
        this.pool = pool;
        this.shared = build();
    }

    private HttpClient build() {
        return vertx.httpClientBuilder().with(options).with(pool).withConnectHandler(connection -> {
            connections.incrementAndGet();
            connection.closeHandler(v -> connections.decrementAndGet());
        }).build();
    }

    /** The client of the calling thread's event loop (its connections live there); off a loop, a shared one. */
    public HttpClient client() {
        Context context = Vertx.currentContext();
        if (context instanceof ContextInternal internal && context.isEventLoopContext()) {
            return byLoop.computeIfAbsent(internal.nettyEventLoop(), loop -> build());
        }
        return shared;
    }

    /** TCP connections open to upstreams, idle ones in the pool included. */
    public AtomicInteger connections() {
        return connections;
    }

    /** Upstream calls started and not yet finished. */
    public AtomicInteger calls() {
        return calls;
    }
}
