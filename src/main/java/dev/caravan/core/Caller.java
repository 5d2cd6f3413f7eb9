package dev.caravan.core;

import java.util.Collections;
import java.util.Map;

/**
 * Who is calling, as the auth policy verified it: the token's subject and claims; {@link #ANONYMOUS} without a token.
 * Rules, session binding, metrics and the access log read it from the {@link RequestContext}.
 */
public record Caller(String subject, Map<String, Object> claims) {

    public static final Caller ANONYMOUS = new Caller("", Map.of());

    public Caller {
        subject = subject == null ? "" : subject;
        // a JSON null claim is a null value, which Map.copyOf refuses
        claims = Collections.unmodifiableMap(claims);
    }

    /** For logs and usage: the token's email, else its subject, else "anonymous". */
    public String who() {
        Object who = claims.getOrDefault("email", claims.get("sub"));
        return who == null ? "anonymous" : who.toString();
    }

    public boolean anonymous() {
        return claims.isEmpty();
    }
}
