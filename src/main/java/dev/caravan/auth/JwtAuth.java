package dev.caravan.auth;

import java.nio.file.Path;
import java.text.ParseException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.util.TimeUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.caravan.core.Caller;
import dev.caravan.core.ClientRequest;
import dev.caravan.core.RequestContext;
import dev.caravan.telemetry.GatewayMetrics;

import static dev.caravan.core.Settings.csv;

/**
 * Checks the caller's JWT: signature against the issuer's JWKS (asymmetric algorithms only: no {@code none}, no HMAC),
 * issuer, audience, expiry and not-before with a clock skew, and required scopes. Verified claims become the
 * caller of the request's {@link RequestContext}, for rules, sessions, metrics and logs.
 * <p>
 * Modes: {@code strict} needs a valid token; {@code optional} lets requests without a token through but refuses a bad
 * one; {@code permissive} never refuses (a bad token counts as none); {@code off} checks nothing. Declared as a bean
 * in a route file (see routes/auth.camel.yaml), configured through its setters.
 */
public final class JwtAuth extends AuthPolicy implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(JwtAuth.class);
    private static final Set<JWSAlgorithm> ASYMMETRIC = new HashSet<>(JWSAlgorithm.Family.SIGNATURE);

    private CamelContext camelContext;
    private String name = "jwt";
    private String mode = "strict";
    private Set<String> issuers = Set.of();
    private Set<String> audiences = Set.of();
    private String jwksUrl;
    private String jwksFile;
    private Set<JWSAlgorithm> algorithms = ASYMMETRIC;
    private long clockSkewSeconds = 60;
    private Set<String> requiredScopes = Set.of();
    private List<String> tokenHeaders = List.of("authorization");
    private String resource;
    private int maxTokenBytes = 8192;
    private long jwksMaxAgeMillis = 300_000;
    private long jwksMinRefreshMillis = 10_000;
    private volatile JwksCache jwks;

    /**
     * A token already verified, with the version of the key set it was verified against. Agents send the same token
     * for up to an hour; remembering it skips parsing and the signature check (most of the cost) on later requests.
     */
    private record Verified(JWTClaimsSet claims, long keysVersion) {
    }

    private static final int MAX_VERIFIED = 10_000;
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        if ("off".equals(mode)) {
            callback.done(true);
            return true;
        }
        String token = token(exchange);
        if (token == null) {
            if ("strict".equals(mode)) {
                fail(exchange, unauthorized("missing_token", "Unauthorized: a bearer token is required", false));
            }
            callback.done(true);
            return true;
        }
        Future<JWTClaimsSet> verified = verify(token);
        if (verified.isComplete()) {
            // the usual case: the key was known, nothing to wait for
            decide(exchange, verified);
            callback.done(true);
            return true;
        }
        verified.onComplete(result -> {
            decide(exchange, result);
            callback.done(false);
        });
        return false;
    }

    private void decide(Exchange exchange, AsyncResult<JWTClaimsSet> result) {
        if (result.succeeded()) {
            accept(exchange, result.result());
        } else if (!"permissive".equals(mode)) {
            fail(exchange, result.cause() instanceof AuthFailure f ? f
                    : unauthorized("invalid_token", "Unauthorized: invalid token", true));
        }
    }

    private void accept(Exchange exchange, JWTClaimsSet claims) {
        Set<String> granted = scopes(claims);
        if (!granted.containsAll(requiredScopes)) {
            fail(exchange, new AuthFailure(403, "insufficient_scope", "Forbidden: the token lacks scope "
                    + String.join(" ", requiredScopes), "Bearer error=\"insufficient_scope\", scope=\""
                    + String.join(" ", requiredScopes) + "\"" + metadataParam()));
            return;
        }
        RequestContext.of(exchange).caller(new Caller(claims.getSubject(), claims.getClaims()));
    }

    private void fail(Exchange exchange, AuthFailure failure) {
        LOG.info("{} refused {} {}: {}", name, ClientRequest.method(exchange), ClientRequest.path(exchange),
                failure.getMessage());
        GatewayMetrics.of(camelContext).authFailure(name, failure.reason());
        exchange.setException(failure);
    }

    /** The caller's token from the first configured header that has one (Bearer scheme for Authorization). */
    private String token(Exchange exchange) {
        for (String header : tokenHeaders) {
            String value = ClientRequest.header(exchange, header);
            if (value == null || value.isBlank()) {
                continue;
            }
            value = value.strip();
            if (header.equalsIgnoreCase("authorization")) {
                if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
                    return value.substring(7).strip();
                }
                continue;
            }
            return value;
        }
        return null;
    }

    /** Verifies a token; the future fails with an {@link AuthFailure} that says why. */
    Future<JWTClaimsSet> verify(String token) {
        Verified known = verified.get(token);
        if (known != null && known.keysVersion() == jwks().version() && checkClaims(known.claims()) == null) {
            jwks().refreshIfStale();
            return Future.succeededFuture(known.claims());
        }
        long keysVersion = jwks().version();
        return verifyFully(token).onSuccess(claims -> remember(token, new Verified(claims, keysVersion)));
    }

    /** Parses a token and checks its algorithm, signature and claims, without looking at remembered tokens. */
    Future<JWTClaimsSet> verifyFully(String token) {
        if (token.length() > maxTokenBytes) {
            return Future.failedFuture(invalid("token larger than " + maxTokenBytes + " bytes"));
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            return Future.failedFuture(invalid("malformed token"));
        }
        if (!(jwt instanceof SignedJWT signed)) {
            return Future.failedFuture(invalid("unsigned or encrypted tokens are not accepted"));
        }
        JWSAlgorithm alg = signed.getHeader().getAlgorithm();
        if (!algorithms.contains(alg)) {
            return Future.failedFuture(invalid("algorithm " + alg + " is not accepted"));
        }
        return jwks().verifier(signed.getHeader().getKeyID(), alg).compose(verifier -> {
            if (verifier == null) {
                return Future.failedFuture(invalid("signed with an unknown key"));
            }
            try {
                if (!signed.verify(verifier)) {
                    return Future.failedFuture(invalid("bad signature"));
                }
                JWTClaimsSet claims = signed.getJWTClaimsSet();
                String problem = checkClaims(claims);
                return problem == null ? Future.succeededFuture(claims) : Future.failedFuture(invalid(problem));
            } catch (JOSEException | ParseException e) {
                return Future.failedFuture(invalid("cannot verify the token"));
            }
        });
    }

    private void remember(String token, Verified claims) {
        if (verified.size() >= MAX_VERIFIED) {
            verified.clear(); // crude but bounded: the busy tokens come back on their next request
        }
        verified.put(token, claims);
    }

    /** Issuer, audience and times; checked again on every request, so a remembered token still expires. */
    private String checkClaims(JWTClaimsSet claims) {
        long now = System.currentTimeMillis();
        long skew = clockSkewSeconds * 1000;
        if (!issuers.isEmpty() && !issuers.contains(claims.getIssuer())) {
            return "issuer " + claims.getIssuer() + " is not trusted";
        }
        if (!audiences.isEmpty() && (claims.getAudience() == null
                                     || claims.getAudience().stream().noneMatch(audiences::contains))) {
            return "token is not meant for this resource (audience)";
        }
        Date exp = claims.getExpirationTime();
        if (exp == null || exp.getTime() + skew < now) {
            return exp == null ? "token has no expiry" : "token expired";
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.getTime() - skew > now) {
            return "token not valid yet";
        }
        Date iat = claims.getIssueTime();
        if (iat != null && iat.getTime() - skew > now) {
            return "token issued in the future";
        }
        return null;
    }

    private static Set<String> scopes(JWTClaimsSet claims) {
        Set<String> scopes = new HashSet<>();
        for (String claim : List.of("scope", "scp")) {
            Object value = claims.getClaim(claim);
            if (value instanceof String s) {
                scopes.addAll(Arrays.asList(s.split("\\s+")));
            } else if (value instanceof Collection<?> c) {
                c.forEach(v -> scopes.add(String.valueOf(v)));
            }
        }
        return scopes;
    }

    private AuthFailure invalid(String why) {
        return unauthorized("invalid_token", "Unauthorized: " + why, true);
    }

    private AuthFailure unauthorized(String reason, String message, boolean tokenSent) {
        StringBuilder challenge = new StringBuilder("Bearer");
        String sep = " ";
        if (resource != null && !resource.isBlank()) {
            challenge.append(sep).append("resource_metadata=\"").append(ProtectedResourceMetadata.wellKnownUrl(resource))
                    .append('"');
            sep = ", ";
        }
        if (!requiredScopes.isEmpty()) {
            challenge.append(sep).append("scope=\"").append(String.join(" ", requiredScopes)).append('"');
            sep = ", ";
        }
        if (tokenSent) {
            challenge.append(sep).append("error=\"invalid_token\", error_description=\"")
                    .append(message.replace("\"", "'")).append('"');
        }
        return new AuthFailure(401, reason, message, challenge.toString());
    }

    private String metadataParam() {
        return resource == null || resource.isBlank() ? ""
                : ", resource_metadata=\"" + ProtectedResourceMetadata.wellKnownUrl(resource) + "\"";
    }

    private JwksCache jwks() {
        JwksCache cache = jwks;
        if (cache == null) {
            synchronized (this) {
                if (jwks == null) {
                    if ((jwksUrl == null || jwksUrl.isBlank()) && (jwksFile == null || jwksFile.isBlank())) {
                        throw new IllegalStateException(name + ": set jwksUrl or jwksFile");
                    }
                    Vertx vertx = camelContext.getRegistry().findSingleByType(Vertx.class);
                    jwks = new JwksCache(vertx, jwksUrl,
                            jwksFile == null || jwksFile.isBlank() ? null : Path.of(jwksFile), jwksMaxAgeMillis,
                            jwksMinRefreshMillis);
                }
                cache = jwks;
            }
        }
        return cache;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    /** The policy's name in logs and metrics. */
    public void setName(String name) {
        this.name = name;
    }

    public void setMode(String mode) {
        String m = mode.strip().toLowerCase(Locale.ROOT);
        if (!List.of("strict", "optional", "permissive", "off").contains(m)) {
            throw new IllegalArgumentException(name + ": mode must be strict, optional, permissive or off, not " + mode);
        }
        this.mode = m;
    }

    /** Trusted issuers, comma separated (Google: https://accounts.google.com,accounts.google.com). */
    public void setIssuers(String issuers) {
        this.issuers = Set.copyOf(csv(issuers));
    }

    /** Accepted audiences, comma separated: the gateway's resource URL for MCP. Empty accepts any. */
    public void setAudiences(String audiences) {
        this.audiences = Set.copyOf(csv(audiences));
    }

    public void setJwksUrl(String jwksUrl) {
        this.jwksUrl = jwksUrl;
    }

    public void setJwksFile(String jwksFile) {
        this.jwksFile = jwksFile;
    }

    /** Accepted signature algorithms, comma separated, from the RS, ES and PS families (HMAC and none never). */
    public void setAlgorithms(String algorithms) {
        Set<JWSAlgorithm> chosen = new HashSet<>();
        for (String a : csv(algorithms)) {
            JWSAlgorithm alg = JWSAlgorithm.parse(a);
            if (!ASYMMETRIC.contains(alg)) {
                throw new IllegalArgumentException(name + ": algorithm " + a + " is not accepted (RS*, ES*, PS* only)");
            }
            chosen.add(alg);
        }
        this.algorithms = chosen.isEmpty() ? ASYMMETRIC : Set.copyOf(chosen);
    }

    public void setClockSkew(String skew) {
        this.clockSkewSeconds = TimeUtils.toMilliSeconds(skew) / 1000;
    }

    /** Scopes every token must grant, comma separated. */
    public void setRequiredScopes(String scopes) {
        this.requiredScopes = Set.copyOf(csv(scopes));
    }

    /** Headers that may carry the token, in order: "authorization" (Bearer) and, for LLM SDKs, "x-api-key". */
    public void setTokenHeaders(String headers) {
        this.tokenHeaders = csv(headers);
    }

    /** The protected resource this policy guards (its metadata URL goes into 401 answers). */
    public void setResource(String resource) {
        this.resource = resource;
    }

    public void setMaxTokenBytes(int maxTokenBytes) {
        this.maxTokenBytes = maxTokenBytes;
    }

    public void setJwksMaxAge(String age) {
        this.jwksMaxAgeMillis = TimeUtils.toMilliSeconds(age);
    }

    public void setJwksMinRefresh(String interval) {
        this.jwksMinRefreshMillis = TimeUtils.toMilliSeconds(interval);
    }
}
