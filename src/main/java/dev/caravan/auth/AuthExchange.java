package dev.caravan.auth;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

import io.vertx.core.MultiMap;
import org.apache.camel.Exchange;

import dev.caravan.core.ClientRequest;
import dev.caravan.core.RequestContext;

/** Exchange properties the auth policies set for rules, sessions, metrics and logs. */
public final class AuthExchange {

    /** the verified claims of the caller's token, a Map (empty when anonymous) */
    public static final String CLAIMS = "jwt";
    /** each top-level claim also on its own, e.g. {@code jwt.email}, for Simple expressions and log patterns */
    public static final String CLAIM_PREFIX = "jwt.";
    /** who is calling: the token's subject, empty when anonymous */
    public static final String SUBJECT = "caravanSubject";

    private AuthExchange() {
    }

    /** Puts a verified token's claims on the exchange. */
    static void setClaims(Exchange exchange, Map<String, Object> claims, String subject) {
        exchange.setProperty(CLAIMS, claims);
        claims.forEach((name, value) -> exchange.setProperty(CLAIM_PREFIX + name, value));
        exchange.setProperty(SUBJECT, subject == null ? "" : subject);
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> claims(Exchange exchange) {
        Map<String, Object> claims = exchange.getProperty(CLAIMS, Map.class);
        return claims == null ? Map.of() : claims;
    }

    /** Who is calling, for logs: the email or subject of the token, or "anonymous". */
    public static String caller(Exchange exchange) {
        Map<String, Object> claims = claims(exchange);
        Object who = claims.getOrDefault("email", claims.get("sub"));
        return who == null ? "anonymous" : who.toString();
    }

    /** Facts the listener routes know about a request, by the exchange property that holds them. */
    private static final Map<String, String> FACT_PROPERTIES = Map.of(
            "mcp.method", "mcpMethod",
            "llm.model", "llmModel",
            "llm.provider", "llmProvider",
            "llm.org", "llmOrg");

    /** The facts of a request for rules: its claims and headers, what the routes know, and {@code others}. */
    public static Rule.Facts facts(Exchange exchange, Map<String, Object> others) {
        Map<String, Object> all = new HashMap<>();
        RequestContext context = RequestContext.of(exchange);
        FACT_PROPERTIES.forEach((fact, property) -> {
            // the request's typed context knows its facts; the properties serve the listeners that build none yet
            Object known = context == null ? null : context.fact(fact);
            Object value = known != null ? known : exchange.getProperty(property);
            if (value != null) {
                all.put(fact, value);
            }
        });
        all.putAll(others);
        return Rule.facts(claims(exchange), clientHeaders(exchange), all);
    }

    /**
     * The headers the client sent (never its query string). Routes replace the message headers with the upstream's
     * request (or answer) on the way, so rules read the original request where platform-http keeps it.
     */
    private static Function<String, String> clientHeaders(Exchange exchange) {
        MultiMap headers = ClientRequest.headers(exchange);
        return headers::get;
    }
}
