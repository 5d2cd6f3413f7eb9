package dev.caravan.llm;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tokens from a metadata server: shared while a fetch runs, reused while valid, fetched again near expiry. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GoogleAccessTokensTest {

    private final Vertx vertx = Vertx.vertx();
    private final AtomicInteger issued = new AtomicInteger();
    private volatile long expiresIn = 3599;
    private volatile String flavor;
    private HttpServer metadata;

    @BeforeAll
    void start() throws Exception {
        metadata = vertx.createHttpServer().requestHandler(r -> {
            flavor = r.getHeader("Metadata-Flavor");
            // a little later, so that concurrent requests overlap one fetch
            vertx.setTimer(50, t -> r.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                    .put("access_token", "token-" + issued.incrementAndGet()).put("expires_in", expiresIn)
                    .put("token_type", "Bearer").encode()));
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    void stop() {
        vertx.close();
    }

    private GoogleAccessTokens tokens() {
        return new GoogleAccessTokens(vertx, "http://127.0.0.1:" + metadata.actualPort()
                                             + "/computeMetadata/v1/instance/service-accounts/default/token");
    }

    private static String await(Future<String> token) throws Exception {
        return token.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void concurrentRequestsShareOneFetchAndTheTokenIsReused() throws Exception {
        GoogleAccessTokens tokens = tokens();
        expiresIn = 3599;
        int before = issued.get();
        List<Future<String>> waiting = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            waiting.add(tokens.token(null));
        }
        String first = await(waiting.get(0));
        for (Future<String> f : waiting) {
            assertEquals(first, await(f));
        }
        assertEquals(first, await(tokens.token("")));
        assertEquals(before + 1, issued.get(), "one fetch for all of them");
        assertEquals("Google", flavor);
    }

    @Test
    void aTokenAboutToExpireIsReplaced() throws Exception {
        GoogleAccessTokens tokens = tokens();
        expiresIn = 0; // already inside the five minutes before expiry, and expired
        String first = await(tokens.token(null));
        expiresIn = 3599;
        String second = await(tokens.token(null));
        assertTrue(!first.equals(second), first + " was used again");
        assertEquals(second, await(tokens.token(null)));
    }
}
