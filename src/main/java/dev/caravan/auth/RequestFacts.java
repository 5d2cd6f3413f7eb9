package dev.caravan.auth;

import java.util.Map;

import io.vertx.core.MultiMap;
import org.apache.camel.Exchange;

import dev.caravan.core.ClientRequest;
import dev.caravan.core.RequestContext;

/**
 * The facts rules see about a request: {@code jwt.*} from the verified caller's claims, {@code header.*} from the
 * headers the client sent (never its query string: routes replace message headers on the way, so these come from the
 * real request), {@code mcp.*} and {@code llm.*} from the request's typed context, and the facts a policy adds for one
 * item it judges (a tool it lists).
 */
public final class RequestFacts {

    private RequestFacts() {
    }

    public static Rule.Facts of(Exchange exchange, Map<String, Object> others) {
        RequestContext context = RequestContext.of(exchange);
        MultiMap headers = ClientRequest.headers(exchange);
        return Rule.facts(RequestContext.caller(exchange).claims(), headers::get,
                name -> others.containsKey(name) ? others.get(name) : context == null ? null : context.fact(name));
    }
}
