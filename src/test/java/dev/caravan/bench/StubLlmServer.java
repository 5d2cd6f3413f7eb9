package dev.caravan.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import dev.caravan.demo.StubLlmProvider;

/**
 * The stub LLM provider on its own, in a process of its own, for the LLM benchmarks (bench/llm-bench.sh): every
 * target — direct, the gateway, nginx, Portkey — is measured against the same stub.
 * usage: StubLlmServer port chunkDelayMillis
 */
public final class StubLlmServer {

    private StubLlmServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        new StubLlmProvider(vertx, Long.parseLong(args[1])).listen(port).toCompletionStage().toCompletableFuture()
                .get();
        System.out.println("stub LLM provider listening on " + port);
    }
}
