package dev.caravan.llm;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Google OAuth access tokens for Vertex AI, from a service account key file (the JWT bearer grant against the key's
 * {@code token_uri}) or, without one, from the metadata server of the machine (GKE workload identity, GCE). A token is
 * reused until five minutes before it expires; then the next request fetches a new one while the old one still
 * serves, and concurrent requests share one fetch. Nothing blocks: the key file and the token endpoint are read
 * through Vert.x.
 */
public final class GoogleAccessTokens {

    private static final Logger LOG = LoggerFactory.getLogger(GoogleAccessTokens.class);
    private static final String SCOPE = "https://www.googleapis.com/auth/cloud-platform";
    private static final long REFRESH_AHEAD_MS = 300_000;

    private record Token(String value, long expiresAt) {
    }

    private final class Source {
        private final String keyFile;
        private volatile Token token;
        private Future<Token> fetching;

        Source(String keyFile) {
            this.keyFile = keyFile;
        }

        synchronized Future<String> get() {
            Token current = token;
            long now = System.currentTimeMillis();
            if (current != null && now < current.expiresAt() - REFRESH_AHEAD_MS) {
                return Future.succeededFuture(current.value());
            }
            if (fetching == null) {
                Future<Token> next = keyFile == null ? fromMetadataServer() : fromKeyFile(keyFile);
                fetching = next;
                next.onComplete(r -> {
                    synchronized (this) {
                        fetching = null;
                        if (r.succeeded()) {
                            token = r.result();
                        } else {
                            LOG.warn("Could not get a Google access token from {}: {}",
                                    keyFile == null ? metadataUrl : keyFile, r.cause().getMessage());
                        }
                    }
                });
            }
            // a token that is still valid serves while its successor is fetched
            return current != null && now < current.expiresAt() ? Future.succeededFuture(current.value())
                    : fetching.map(Token::value);
        }
    }

    private final Vertx vertx;
    private final HttpClient client;
    private final String metadataUrl;
    private final Map<String, Source> sources = new ConcurrentHashMap<>();

    /**
     * @param metadataUrl the metadata server's token URL, e.g.
     *                    {@code http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token}
     */
    public GoogleAccessTokens(Vertx vertx, String metadataUrl) {
        this.vertx = vertx;
        this.client = vertx.createHttpClient();
        this.metadataUrl = metadataUrl;
    }

    /** An access token for the service account in {@code keyFile} (a path), or the machine's when it is blank. */
    public Future<String> token(String keyFile) {
        String key = keyFile == null || keyFile.isBlank() ? "" : keyFile.strip();
        return sources.computeIfAbsent(key, k -> new Source(k.isEmpty() ? null : k)).get();
    }

    private Future<Token> fromMetadataServer() {
        return send(new RequestOptions().setAbsoluteURI(metadataUrl).setMethod(HttpMethod.GET)
                .putHeader("Metadata-Flavor", "Google"), null);
    }

    private Future<Token> fromKeyFile(String keyFile) {
        return vertx.fileSystem().readFile(keyFile).compose(content -> {
            JsonObject key = content.toJsonObject();
            String tokenUri = key.getString("token_uri", "https://oauth2.googleapis.com/token");
            long now = System.currentTimeMillis();
            try {
                SignedJWT assertion = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .keyID(key.getString("private_key_id")).build(), new JWTClaimsSet.Builder()
                        .issuer(key.getString("client_email")).audience(tokenUri).claim("scope", SCOPE)
                        .issueTime(new Date(now)).expirationTime(new Date(now + 3_600_000)).build());
                assertion.sign(new RSASSASigner(privateKey(key.getString("private_key"))));
                String form = "grant_type=" + urlEncode("urn:ietf:params:oauth:grant-type:jwt-bearer") + "&assertion="
                              + assertion.serialize();
                return send(new RequestOptions().setAbsoluteURI(tokenUri).setMethod(HttpMethod.POST)
                        .setHeaders(MultiMap.caseInsensitiveMultiMap()
                                .add("Content-Type", "application/x-www-form-urlencoded")), Buffer.buffer(form));
            } catch (Exception e) {
                return Future.failedFuture("service account key " + keyFile + " is not usable: " + e.getMessage());
            }
        });
    }

    /** Asks a token endpoint; the answer is {@code {"access_token": ..., "expires_in": seconds}}. */
    private Future<Token> send(RequestOptions options, Buffer body) {
        Promise<Token> promise = Promise.promise();
        // set up on an event loop, or the answer may arrive before its body handler (see JwksCache)
        Context context = Vertx.currentContext();
        (context != null ? context : vertx.getOrCreateContext()).runOnContext(v -> client
                .request(options.setTimeout(10_000))
                .compose(req -> body == null ? req.send() : req.send(body))
                .compose(resp -> resp.body().compose(b -> resp.statusCode() == 200 ? Future.succeededFuture(b)
                        : Future.failedFuture("HTTP " + resp.statusCode())))
                .onComplete(answer -> {
                    if (answer.failed()) {
                        promise.fail(answer.cause());
                        return;
                    }
                    try {
                        JsonObject json = answer.result().toJsonObject();
                        String token = json.getString("access_token");
                        if (token == null || token.isBlank()) {
                            promise.fail("no access_token in the answer");
                            return;
                        }
                        promise.complete(new Token(token, System.currentTimeMillis()
                                                          + json.getLong("expires_in", 3600L) * 1000));
                    } catch (RuntimeException e) {
                        promise.fail("the token endpoint did not answer JSON");
                    }
                }));
        return promise.future();
    }

    private static PrivateKey privateKey(String pem) throws Exception {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder()
                .decode(base64)));
    }

    private static String urlEncode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
