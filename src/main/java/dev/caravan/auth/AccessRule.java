package dev.caravan.auth;

import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.AsyncCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.caravan.core.RequestContext;
import dev.caravan.telemetry.GatewayMetrics;

/**
 * A named authorization rule a request must satisfy, written in the route file ({@link Rule} syntax), e.g. the seed's
 * {@code jwt.email endsWith "@solo.io" && jwt.email_verified == true}. A request it does not allow gets 403; every
 * refusal is logged (who, what, which rule) and counted. Declared as a bean in a route file.
 */
public final class AccessRule extends AuthPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(AccessRule.class);

    private String name = "access-rule";
    private Rule rule;

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        if (!rule.allows(RequestFacts.of(exchange, Map.of()))) {
            exchange.setException(deny(exchange, name, rule, "this request"));
        }
        callback.done(true);
        return true;
    }

    /** Logs and counts a refusal, and returns the failure to throw. */
    public static AuthFailure deny(Exchange exchange, String policy, Object rule, String what) {
        LOG.info("{} denied {} to {} (rule: {})", policy, what, RequestContext.caller(exchange).who(), rule);
        GatewayMetrics.of(exchange.getContext()).authFailure(policy, "denied");
        return new AuthFailure(403, "denied", "Forbidden: " + policy + " does not allow " + what, null);
    }

    /** The rule's name in logs, metrics and refusals. */
    public void setName(String name) {
        this.name = name;
    }

    /** The rule ({@link Rule} syntax); a rule that does not parse fails the route file that declares it. */
    public void setRule(String rule) {
        this.rule = Rule.parse(rule);
    }
}
