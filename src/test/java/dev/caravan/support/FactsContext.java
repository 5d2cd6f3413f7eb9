package dev.caravan.support;

import java.util.Map;

import dev.caravan.core.RequestContext;

/** A request context that knows the facts it is given, for tests of what reads contexts (rules, auth, fields). */
public final class FactsContext extends RequestContext {

    private final Map<String, Object> facts;

    public FactsContext(Map<String, Object> facts) {
        super(System.nanoTime());
        this.facts = facts;
    }

    @Override
    public String kind() {
        return "test";
    }

    @Override
    public Object fact(String name) {
        return facts.get(name);
    }
}
