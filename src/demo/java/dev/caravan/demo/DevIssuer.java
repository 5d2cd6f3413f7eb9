package dev.caravan.demo;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's OAuth issuer — demo only: it gives anyone a signed token with the claims they ask for, so a newcomer
 * can try the gateway's JWT checks with one curl. Loopback only. Endpoints: {@code POST /token} (form fields
 * {@code email}, {@code email_verified}, {@code scope}; or an OAuth client_credentials request, whose client id becomes
 * the subject), {@code GET /jwks}, and the OAuth/OIDC discovery documents.
 */
final class DevIssuer {

    private static final Logger LOG = LoggerFactory.getLogger(DevIssuer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String issuer;
    private final String audience;
    private final RSAKey key;
    private final HttpServer server;

    DevIssuer(int port, String audience) throws IOException, JOSEException {
        this.issuer = "http://127.0.0.1:" + port;
        this.audience = audience;
        this.key = new RSAKeyGenerator(2048).keyID("dev-" + UUID.randomUUID().toString().substring(0, 8))
                .keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/token", this::token);
        server.createContext("/jwks", ex -> send(ex, 200, new JWKSet(key.toPublicJWK()).toString()));
        server.createContext("/.well-known/", ex -> send(ex, 200, JSON.writeValueAsString(Map.of(
                "issuer", issuer,
                "token_endpoint", issuer + "/token",
                "jwks_uri", issuer + "/jwks",
                "grant_types_supported", List.of("client_credentials"),
                "token_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post", "none"),
                "response_types_supported", List.of("token"),
                "subject_types_supported", List.of("public"),
                "id_token_signing_alg_values_supported", List.of("RS256")))));
        server.start();
        LOG.warn("Demo issuer on {} gives anyone a token (demo only): curl -s -d email=you@example.com {}/token",
                issuer, issuer);
    }

    void close() {
        server.stop(0);
    }

    private void token(HttpExchange ex) throws IOException {
        if (!"POST".equals(ex.getRequestMethod())) {
            send(ex, 405, "{\"error\":\"invalid_request\",\"error_description\":\"POST the form fields\"}");
            return;
        }
        Map<String, String> form = form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String client = basicClientId(ex.getRequestHeaders().getFirst("Authorization"));
        String email = form.getOrDefault("email", client == null ? "dev@example.com" : null);
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(email != null ? email : client)
                .audience(form.getOrDefault("resource", audience))
                .issueTime(new Date())
                .expirationTime(new Date(System.currentTimeMillis() + 3_600_000))
                .jwtID(UUID.randomUUID().toString());
        if (email != null) {
            claims.claim("email", email).claim("email_verified",
                    Boolean.parseBoolean(form.getOrDefault("email_verified", "true")));
        }
        if (form.containsKey("scope")) {
            claims.claim("scope", form.get("scope"));
        }
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                    claims.build());
            jwt.sign(new RSASSASigner(key));
            Map<String, Object> answer = new HashMap<>(Map.of("access_token", jwt.serialize(), "token_type", "Bearer",
                    "expires_in", 3600));
            if (form.containsKey("scope")) {
                answer.put("scope", form.get("scope"));
            }
            send(ex, 200, JSON.writeValueAsString(answer));
        } catch (JOSEException e) {
            send(ex, 500, "{\"error\":\"server_error\"}");
        }
    }

    private static String basicClientId(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()),
                StandardCharsets.UTF_8);
        return URLDecoder.decode(decoded.split(":", 2)[0], StandardCharsets.UTF_8);
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            String[] kv = pair.split("=", 2);
            if (!kv[0].isEmpty()) {
                form.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                        kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            }
        }
        return form;
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
