package dev.caravan.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpServer;
import no.nav.security.mock.oauth2.MockOAuth2Server;

/**
 * A real OIDC issuer for tests: {@code mock-oauth2-server} signs tokens with any claims and serves discovery, token
 * endpoint and JWKS. Next to it runs a JWKS endpoint the gateway is pointed at, which publishes the issuer's key plus
 * keys the test controls, so a test can rotate keys or sign tokens the issuer never would (expired, not yet valid,
 * other issuers) and count how often the gateway fetched the keys.
 */
public final class TestIssuer implements AutoCloseable {

    public static final String ISSUER_ID = "agents";

    private final MockOAuth2Server oauth = new MockOAuth2Server();
    private final HttpServer jwks;
    private final AtomicInteger jwksFetches = new AtomicInteger();
    private final List<JWK> issuerKeys;
    private volatile List<JWK> extraKeys = List.of();
    private volatile boolean failing;

    public TestIssuer() {
        oauth.start();
        try {
            issuerKeys = JWKSet.load(oauth.jwksUrl(ISSUER_ID).url()).getKeys();
            jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException | java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
        jwks.createContext("/jwks", ex -> {
            jwksFetches.incrementAndGet();
            if (failing) {
                ex.sendResponseHeaders(503, -1);
                ex.close();
                return;
            }
            List<JWK> published = new ArrayList<>(issuerKeys);
            extraKeys.forEach(k -> published.add(k.toPublicJWK()));
            byte[] body = new JWKSet(published).toString().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        jwks.start();
    }

    public MockOAuth2Server oauth() {
        return oauth;
    }

    /** The issuer ({@code iss}) of its tokens. */
    public String issuer() {
        return oauth.issuerUrl(ISSUER_ID).toString();
    }

    /** The JWKS the gateway should use: the issuer's key and the test's own. */
    public String jwksUrl() {
        return "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks";
    }

    public int jwksFetches() {
        return jwksFetches.get();
    }

    /** A token from the issuer for {@code audience}, valid for an hour, with these claims (sub included). */
    public String token(String audience, Map<String, Object> claims) {
        Object sub = claims.getOrDefault("sub", claims.getOrDefault("email", "someone"));
        return oauth.issueToken(ISSUER_ID, sub.toString(), audience, claims, 3600).serialize();
    }

    /** Replaces the test's own published keys. */
    public void publish(JWK... keys) {
        extraKeys = List.of(keys);
    }

    /** While true, the JWKS endpoint answers 503. */
    public void failJwks(boolean fail) {
        failing = fail;
    }

    /** Claims like the issuer's: its iss, this audience, issued now and valid for an hour. */
    public JWTClaimsSet.Builder claims(String audience) {
        long now = System.currentTimeMillis();
        return new JWTClaimsSet.Builder().issuer(issuer()).audience(audience).subject("someone")
                .issueTime(new Date(now)).expirationTime(new Date(now + 3_600_000));
    }

    @Override
    public void close() {
        jwks.stop(0);
        oauth.shutdown();
    }
}
