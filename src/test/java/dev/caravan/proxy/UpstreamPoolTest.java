package dev.caravan.proxy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A call borrows only connections of the event loop it runs on: Vert.x's shared pool would hand a call on one loop the
 * idle connection of another, and the call's request and answer would then cross threads twice.
 */
class UpstreamPoolTest {

    private Vertx vertx;
    private HttpServer server;
    private UpstreamPool pool;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        server = vertx.createHttpServer().requestHandler(r -> r.response().end("ok")).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        pool = new UpstreamPool(vertx, new HttpClientOptions().setKeepAlive(true), new PoolOptions());
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void eachEventLoopHasItsOwnConnections() throws Exception {
        // new event-loop contexts take Vert.x's two event loops in turn
        ContextInternal first = ((VertxInternal) vertx).createEventLoopContext();
        ContextInternal second = ((VertxInternal) vertx).createEventLoopContext();
        EventLoop one = first.nettyEventLoop();
        assertNotSame(one, second.nettyEventLoop());

        HttpClient ofFirst = on(first, pool::client);
        assertSame(ofFirst, on(first, pool::client), "one client per loop");
        assertNotSame(ofFirst, on(second, pool::client));
        assertNotSame(ofFirst, pool.client(), "off the loops: the shared client");

        call(first);
        call(first);
        assertEquals(1, pool.connections().get(), "a loop reuses its own idle connection");
        // the first loop's connection is idle, yet the second loop's call opens one of its own
        call(second);
        assertEquals(2, pool.connections().get());
        call(second);
        assertEquals(2, pool.connections().get());
    }

    private void call(Context context) throws Exception {
        CompletableFuture<String> answer = new CompletableFuture<>();
        context.runOnContext(v -> pool.client().request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
                .compose(request -> request.send().compose(response -> response.body()))
                .onComplete(body -> {
                    if (body.succeeded()) {
                        answer.complete(body.result().toString());
                    } else {
                        answer.completeExceptionally(body.cause());
                    }
                }));
        assertEquals("ok", answer.get(10, TimeUnit.SECONDS));
    }

    private static <T> T on(Context context, java.util.function.Supplier<T> work) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        context.runOnContext(v -> result.complete(work.get()));
        return result.get(10, TimeUnit.SECONDS);
    }
}
