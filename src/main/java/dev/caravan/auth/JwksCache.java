package dev.caravan.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
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

    /** A signing key ready to verify with: building the public key and verifier once per load, not per request. */
    private record SigningKey(String kid, KeyType type, JWSVerifier verifier) {
    }

    /** The keys as loaded: the set itself (to notice changes) and its usable signing keys. */
    private record Loaded(JWKSet set, List<SigningKey> keys, long version) {
    }

    private final Vertx vertx;
    private final HttpClient client;
    private final String url;
    private final Path file;
    private final long maxAgeMillis;
    private final long minRefreshMillis;
    private volatile Loaded loaded = new Loaded(new JWKSet(), List.of(), 0);
    private volatile long loadedAt;
    private volatile long fileModified = -1;
    private long lastAttempt = Long.MIN_VALUE / 2;
    private Future<Loaded> inflight;

    JwksCache(Vertx vertx, String url, Path file, long maxAgeMillis, long minRefreshMillis) {
        this.vertx = vertx;
        this.client = vertx.createHttpClient();
        this.url = url;
        this.file = file;
        this.maxAgeMillis = maxAgeMillis;
        this.minRefreshMillis = minRefreshMillis;
    }

    /** A verifier for a token's key (null when there is none), refreshing first when the key id is new. */
    Future<JWSVerifier> verifier(String kid, JWSAlgorithm alg) {
        JWSVerifier found = find(loaded, kid, alg);
        if (found != null) {
            refreshIfStale();
            return Future.succeededFuture(found);
        }
        return refresh().map(keys -> find(keys, kid, alg));
    }

    /** Starts loading the keys in the background when they are older than the configured maximum age. */
    void refreshIfStale() {
        if (System.currentTimeMillis() - loadedAt > maxAgeMillis) {
            refresh();
        }
    }

    /** Changes whenever the set of keys does, so that tokens verified with a withdrawn key are checked again. */
    long version() {
        return loaded.version();
    }

    private static JWSVerifier find(Loaded loaded, String kid, JWSAlgorithm alg) {
        KeyType type = KeyType.forAlgorithm(alg);
        JWSVerifier match = null;
        int matches = 0;
        for (SigningKey key : loaded.keys()) {
            if (key.type().equals(type) && (kid == null || kid.equals(key.kid()))) {
                match = key.verifier();
                matches++;
            }
        }
        // without a key id a token is only accepted when exactly one key could have signed it
        return matches == 1 || kid != null && matches > 0 ? match : null;
    }

    /** Loads the keys again unless that was tried very recently; the returned future holds the current keys. */
    private synchronized Future<Loaded> refresh() {
        if (inflight != null) {
            return inflight;
        }
        long now = System.currentTimeMillis();
        if (now - lastAttempt < minRefreshMillis) {
            return Future.succeededFuture(loaded);
        }
        lastAttempt = now;
        Future<Loaded> loading = (file != null ? loadFile() : fetch()).map(set -> {
            Loaded before = loaded;
            if (!set.toJSONObject().equals(before.set().toJSONObject())) {
                loaded = new Loaded(set, signingKeys(set), before.version() + 1);
            }
            loadedAt = System.currentTimeMillis();
            return loaded;
        }).recover(e -> {
            LOG.warn("Could not refresh the signing keys from {}: {}; keeping the {} keys already known",
                    file != null ? file : url, e.getMessage(), loaded.keys().size());
            return Future.succeededFuture(loaded);
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

    /** The RSA and EC signature keys of a set, each with its verifier; encryption keys and other types are left out. */
    private static List<SigningKey> signingKeys(JWKSet set) {
        List<SigningKey> keys = new ArrayList<>();
        for (JWK jwk : set.getKeys()) {
            if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
                continue;
            }
            try {
                if (jwk instanceof RSAKey rsa) {
                    keys.add(new SigningKey(jwk.getKeyID(), KeyType.RSA, new RSASSAVerifier(rsa.toRSAPublicKey())));
                } else if (jwk instanceof ECKey ec) {
                    keys.add(new SigningKey(jwk.getKeyID(), KeyType.EC, new ECDSAVerifier(ec.toPublicJWK())));
                }
            } catch (JOSEException e) {
                LOG.warn("Signing key {} cannot be used: {}", jwk.getKeyID(), e.getMessage());
            }
        }
        return List.copyOf(keys);
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
                return Future.succeededFuture(loaded.set());
            }
            JWKSet set = JWKSet.parse(Files.readString(file));
            fileModified = modified;
            return Future.succeededFuture(set);
        } catch (IOException | ParseException e) {
            return Future.failedFuture(e.getMessage());
        }
    }
}
