package dev.caravan.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.List;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signing keys of an issuer, from its JWKS URL (fetched without blocking, on the event loop) or a local file. Keys
 * are refreshed when they are older than {@code maxAgeMillis} (in the background, requests go on with the old ones),
 * and at once when a token names a key id not in the set — at most once per {@code minRefreshMillis}, so forged
 * key ids cannot hammer the issuer. A failed refresh keeps the keys it had.
 */
final class JwksCache {

    private static final Logger LOG = LoggerFactory.getLogger(JwksCache.class);

    private final Vertx vertx;
    private final HttpClient client;
    private final String url;
    private final Path file;
    private final long maxAgeMillis;
    private final long minRefreshMillis;
    private volatile JWKSet keys = new JWKSet();
    /** changes whenever the set of keys does, so that tokens verified with a withdrawn key are checked again */
    private volatile long version;
    private volatile long loadedAt;
    private volatile long fileModified = -1;
    private long lastAttempt = Long.MIN_VALUE / 2;
    private Future<JWKSet> inflight;

    JwksCache(Vertx vertx, String url, Path file, long maxAgeMillis, long minRefreshMillis) {
        this.vertx = vertx;
        this.client = vertx.createHttpClient();
        this.url = url;
        this.file = file;
        this.maxAgeMillis = maxAgeMillis;
        this.minRefreshMillis = minRefreshMillis;
    }

    /** The key to verify a token with (null when there is none), refreshing first when the key id is new. */
    Future<JWK> key(String kid, JWSAlgorithm alg) {
        JWK found = find(kid, alg);
        if (found != null) {
            refreshIfStale();
            return Future.succeededFuture(found);
        }
        return refresh().map(set -> find(kid, alg));
    }

    /** Starts loading the keys in the background when they are older than the configured maximum age. */
    void refreshIfStale() {
        if (System.currentTimeMillis() - loadedAt > maxAgeMillis) {
            refresh();
        }
    }

    long version() {
        return version;
    }

    private JWK find(String kid, JWSAlgorithm alg) {
        JWKMatcher.Builder matcher = new JWKMatcher.Builder().keyTypes(com.nimbusds.jose.jwk.KeyType.forAlgorithm(alg))
                .keyUses(KeyUse.SIGNATURE, null).publicOnly(true);
        if (kid != null) {
            matcher.keyID(kid);
        }
        List<JWK> matches = new JWKSelector(matcher.build()).select(keys);
        // without a key id a token is only accepted when exactly one key could have signed it
        return matches.size() == 1 || kid != null && !matches.isEmpty() ? matches.get(0) : null;
    }

    /** Loads the keys again unless that was tried very recently; the returned future holds the current set. */
    synchronized Future<JWKSet> refresh() {
        if (inflight != null) {
            return inflight;
        }
        long now = System.currentTimeMillis();
        if (now - lastAttempt < minRefreshMillis) {
            return Future.succeededFuture(keys);
        }
        lastAttempt = now;
        Future<JWKSet> loading = (file != null ? loadFile() : fetch()).map(set -> {
            if (!set.toJSONObject().equals(keys.toJSONObject())) {
                version++;
            }
            keys = set;
            loadedAt = System.currentTimeMillis();
            return set;
        }).recover(e -> {
            LOG.warn("Could not refresh the signing keys from {}: {}; keeping the {} keys already known",
                    file != null ? file : url, e.getMessage(), keys.getKeys().size());
            return Future.succeededFuture(keys);
        });
        if (!loading.isComplete()) {
            // a file loads at once; a fetch is shared by every request that waits for it
            inflight = loading;
            loading.onComplete(r -> {
                synchronized (this) {
                    inflight = null;
                }
            });
        }
        return loading;
    }

    private Future<JWKSet> fetch() {
        Promise<JWKSet> promise = Promise.promise();
        // The chain must be set up on an event loop: started from another thread, the answer can arrive before
        // body() is asked for, and the body is then lost (seen here: a fetch that never completed).
        Context context = Vertx.currentContext();
        (context != null ? context : vertx.getOrCreateContext()).runOnContext(v -> client
                .request(new RequestOptions().setAbsoluteURI(url).setMethod(HttpMethod.GET).setTimeout(5000))
                .compose(HttpClientRequest::send)
                .compose(resp -> resp.statusCode() == 200 ? resp.body()
                        : Future.failedFuture("HTTP " + resp.statusCode()))
                .onComplete(body -> {
                    if (body.failed()) {
                        promise.fail(body.cause());
                        return;
                    }
                    try {
                        promise.complete(JWKSet.parse(body.result().toString()));
                    } catch (ParseException | RuntimeException e) {
                        promise.fail("not a JWK set: " + e.getMessage());
                    }
                }));
        return promise.future();
    }

    private Future<JWKSet> loadFile() {
        try {
            long modified = Files.getLastModifiedTime(file).toMillis();
            if (modified == fileModified) {
                return Future.succeededFuture(keys);
            }
            JWKSet set = JWKSet.parse(Files.readString(file));
            fileModified = modified;
            return Future.succeededFuture(set);
        } catch (IOException | ParseException e) {
            return Future.failedFuture(e.getMessage());
        }
    }
}
