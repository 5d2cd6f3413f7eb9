package dev.caravan.proxy;

import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;

/**
 * The upstream HTTP client shared by every MCP backend and LLM provider, with what it holds counted: TCP connections
 * open (idle pooled ones included) and calls in flight. A fault that strands a call or a connection shows as a count
 * that never falls back (metrics {@code caravan_upstream_connections_open}, {@code caravan_upstream_calls_active}).
 */
public final class UpstreamPool {

    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger calls = new AtomicInteger();
    private final HttpClient client;

    public UpstreamPool(Vertx vertx, HttpClientOptions options, PoolOptions pool) {
        this.client = vertx.httpClientBuilder().with(options).with(pool).withConnectHandler(connection -> {
            connections.incrementAndGet();
            connection.closeHandler(v -> connections.decrementAndGet());
        }).build();
    }

    public HttpClient client() {
        return client;
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
