package dev.caravan.auth;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import io.vertx.core.Vertx;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.caravan.core.Caller;
import dev.caravan.core.RequestContext;
import dev.caravan.support.FactsContext;
import dev.caravan.support.TestIssuer;
import dev.caravan.support.TestKeys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JWT check on its own: algorithms, issuers, modes, token headers and how the signing keys are kept. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JwtAuthTest {

    private static final String AUDIENCE = "https://gateway.example.com/mcp";
    private final TestIssuer issuer = new TestIssuer();
    private final Vertx vertx = Vertx.vertx();
    private final CamelContext camel = new DefaultCamelContext();
    private final RSAKey rsa = TestKeys.newKey();
    private ECKey ec;

    @BeforeAll
    void start() throws Exception {
        camel.getRegistry().bind("vertx", vertx);
        camel.start();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").keyUse(KeyUse.SIGNATURE).generate();
        issuer.publish(rsa, ec);
    }

    @AfterAll
    void stop() {
        camel.stop();
        issuer.close();
        vertx.close();
    }

    private JwtAuth auth(String mode) {
        JwtAuth auth = new JwtAuth();
        auth.setCamelContext(camel);
        auth.setMode(mode);
        auth.setIssuers(issuer.issuer());
        auth.setAudiences(AUDIENCE);
        auth.setJwksUrl(issuer.jwksUrl());
        return auth;
    }

    private JWTClaimsSet.Builder claims() {
        return issuer.claims(AUDIENCE).claim("email", "alice@solo.io").claim("email_verified", true);
    }

    /** Runs the check on a request with these headers; returns the exchange, its failure (if any) set. */
    private Exchange check(JwtAuth auth, String... headers) throws Exception {
        Exchange exchange = new DefaultExchange(camel);
        new FactsContext(Map.of()).attach(exchange);
        for (int i = 0; i < headers.length; i += 2) {
            exchange.getIn().setHeader(headers[i], headers[i + 1]);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        auth.process(exchange, sync -> done.complete(null));
        done.get(10, TimeUnit.SECONDS);
        return exchange;
    }

    private static int status(Exchange exchange) {
        return exchange.getException() instanceof AuthFailure f ? f.status() : 200;
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    @Test
    void everyAsymmetricFamilyIsAcceptedAndClaimsBecomeTheCaller() throws Exception {
        JwtAuth auth = auth("strict");
        for (String token : List.of(TestKeys.sign(rsa, JWSAlgorithm.RS256, claims().build()),
                TestKeys.sign(rsa, JWSAlgorithm.PS384, claims().build()),
                TestKeys.sign(ec, JWSAlgorithm.ES256, claims().build()))) {
            Exchange ok = check(auth, "Authorization", bearer(token));
            assertNull(ok.getException(), () -> String.valueOf(ok.getException()));
            Caller caller = RequestContext.caller(ok);
            assertEquals("alice@solo.io", caller.claims().get("email"));
            assertEquals(true, caller.claims().get("email_verified"));
            assertEquals("someone", caller.subject());
            // as route files read them
            assertEquals("alice@solo.io", camel.resolveLanguage("simple")
                    .createExpression("${exchangeProperty.caravanRequest.caller.claims[email]}")
                    .evaluate(ok, String.class));
        }
        // an EC key cannot vouch for an RSA signature, whatever the header's key id says
        String mismatched = TestKeys.sign(rsa, JWSAlgorithm.RS256, claims().build()).replaceFirst("^[^.]+",
                java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                        "{\"alg\":\"RS256\",\"kid\":\"ec-1\"}".getBytes()));
        assertEquals(401, status(check(auth, "Authorization", bearer(mismatched))));
    }

    @Test
    void onlyAsymmetricAlgorithmsCanBeConfigured() {
        JwtAuth auth = auth("strict");
        assertThrows(IllegalArgumentException.class, () -> auth.setAlgorithms("RS256,HS256"));
        assertThrows(IllegalArgumentException.class, () -> auth.setAlgorithms("none"));
        assertThrows(IllegalArgumentException.class, () -> auth.setMode("lenient"));
    }

    @Test
    void anAlgorithmOutsideTheConfiguredOnesIsRefused() throws Exception {
        JwtAuth auth = auth("strict");
        auth.setAlgorithms("ES256");
        assertEquals(401, status(check(auth, "Authorization",
                bearer(TestKeys.sign(rsa, JWSAlgorithm.RS256, claims().build())))));
        assertEquals(200, status(check(auth, "Authorization",
                bearer(TestKeys.sign(ec, JWSAlgorithm.ES256, claims().build())))));
    }

    @Test
    void googleIdTokensAreAcceptedWithEitherIssuerForm() throws Exception {
        JwtAuth auth = auth("strict");
        auth.setIssuers("https://accounts.google.com, accounts.google.com");
        for (String iss : List.of("https://accounts.google.com", "accounts.google.com")) {
            assertEquals(200, status(check(auth, "Authorization",
                    bearer(TestKeys.sign(rsa, claims().issuer(iss).build())))), iss);
        }
        assertEquals(401, status(check(auth, "Authorization",
                bearer(TestKeys.sign(rsa, claims().issuer("https://accounts.google.com.evil").build())))));
    }

    @Test
    void modesDecideWhatHappensWithoutAGoodToken() throws Exception {
        String bad = "Bearer not.a.token";
        String good = bearer(TestKeys.sign(rsa, claims().build()));
        assertEquals(401, status(check(auth("strict"))));
        assertEquals(200, status(check(auth("optional"))));
        assertEquals(401, status(check(auth("optional"), "Authorization", bad)));
        assertEquals("alice@solo.io", RequestContext.caller(check(auth("optional"), "Authorization", good)).who());
        Exchange permissive = check(auth("permissive"), "Authorization", bad);
        assertEquals(200, status(permissive));
        assertTrue(RequestContext.caller(permissive).anonymous());
        assertEquals(200, status(check(auth("off"), "Authorization", bad)));
    }

    @Test
    void theTokenMayComeInAnotherConfiguredHeader() throws Exception {
        JwtAuth auth = auth("strict");
        auth.setTokenHeaders("x-api-key, authorization");
        String token = TestKeys.sign(rsa, claims().build());
        assertEquals(200, status(check(auth, "x-api-key", token)));
        assertEquals(200, status(check(auth, "Authorization", bearer(token))));
        assertEquals(401, status(check(auth, "Authorization", "Basic abc")));
    }

    @Test
    void unknownKeyIdsTriggerAtMostOneFetchPerInterval() throws Exception {
        JwtAuth auth = auth("strict");
        auth.setJwksMinRefresh("1h");
        assertEquals(200, status(check(auth, "Authorization", bearer(TestKeys.sign(rsa, claims().build())))));
        int fetches = issuer.jwksFetches();
        for (int i = 0; i < 20; i++) {
            String forged = TestKeys.sign(TestKeys.newKey(), claims().build());
            assertEquals(401, status(check(auth, "Authorization", bearer(forged))));
        }
        assertTrue(issuer.jwksFetches() - fetches <= 1, (issuer.jwksFetches() - fetches) + " fetches");
    }

    @Test
    void knownKeysStayInUseWhileTheIssuerIsDown() throws Exception {
        JwtAuth auth = auth("strict");
        auth.setJwksMaxAge("0s");
        auth.setJwksMinRefresh("0s");
        String token = TestKeys.sign(rsa, claims().build());
        assertEquals(200, status(check(auth, "Authorization", bearer(token))));
        issuer.failJwks(true);
        try {
            int fetches = issuer.jwksFetches();
            // the keys are stale at once (max age 0): a refresh is attempted, fails, and the old keys go on working
            assertEquals(200, status(check(auth, "Authorization", bearer(TestKeys.sign(rsa, claims().build())))));
            assertEquals(200, status(check(auth, "Authorization", bearer(TestKeys.sign(ec, JWSAlgorithm.ES256,
                    claims().build())))));
            // a token with a new key id waits for a fetch, which fails: refused, and the fetch did happen
            assertEquals(401, status(check(auth, "Authorization", bearer(TestKeys.sign(TestKeys.newKey(),
                    claims().build())))));
            assertTrue(issuer.jwksFetches() > fetches, "no refresh was attempted");
            assertEquals(200, status(check(auth, "Authorization", bearer(token))));
        } finally {
            issuer.failJwks(false);
        }
    }

    @Test
    void aLocalKeySetFileIsReadAgainWhenATokenNamesANewKey() throws Exception {
        Path file = Files.createTempFile("jwks", ".json");
        RSAKey first = TestKeys.newKey();
        Files.writeString(file, new JWKSet(first.toPublicJWK()).toString());
        JwtAuth auth = auth("strict");
        auth.setJwksUrl("");
        auth.setJwksFile(file.toString());
        auth.setJwksMinRefresh("0s");
        assertEquals(200, status(check(auth, "Authorization", bearer(TestKeys.sign(first, claims().build())))));
        RSAKey second = TestKeys.newKey();
        String bySecond = bearer(TestKeys.sign(second, claims().build()));
        assertEquals(401, status(check(auth, "Authorization", bySecond)));
        Files.writeString(file, new JWKSet(List.of(first.toPublicJWK(), second.toPublicJWK())).toString());
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertEquals(200, status(check(auth, "Authorization", bySecond)));
    }

    @Test
    void refusalsCarryAChallengeThatNamesTheMetadataAndTheProblem() throws Exception {
        JwtAuth auth = auth("strict");
        auth.setResource(AUDIENCE);
        auth.setRequiredScopes("mcp");
        AuthFailure missing = (AuthFailure) check(auth).getException();
        assertEquals("Bearer resource_metadata=\"https://gateway.example.com/.well-known/oauth-protected-resource/mcp\""
                     + ", scope=\"mcp\"", missing.wwwAuthenticate());
        AuthFailure expired = (AuthFailure) check(auth, "Authorization", bearer(TestKeys.sign(rsa, claims()
                .expirationTime(new java.util.Date(System.currentTimeMillis() - 120_000)).claim("scope", "mcp")
                .build()))).getException();
        assertEquals(401, expired.status());
        assertTrue(expired.wwwAuthenticate().endsWith("error=\"invalid_token\", error_description=\"Unauthorized: "
                                                      + "token expired\""), expired.wwwAuthenticate());
        AuthFailure scope = (AuthFailure) check(auth, "Authorization", bearer(TestKeys.sign(rsa, claims()
                .claim("scp", List.of("other")).build()))).getException();
        assertEquals(403, scope.status());
        assertEquals("insufficient_scope", scope.reason());
        // a token within the clock skew (60 s by default) is still good
        assertEquals(200, status(check(auth, "Authorization", bearer(TestKeys.sign(rsa, claims()
                .expirationTime(new java.util.Date(System.currentTimeMillis() - 30_000))
                .claim("scope", "openid mcp").build())))));
        assertEquals(Map.of(), RequestContext.caller(check(auth)).claims());
    }
}
