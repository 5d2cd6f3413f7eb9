package dev.caravan.llm;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;

/**
 * A question the content-based router of routes/llm.camel.yaml asks about a request, as a predicate bean
 * ({@code ref: vertexApi}): is its API of a family ({@code api: vertex}), is it from an organization
 * ({@code org: engineering}), or without one ({@code noOrg: true}). It reads the request's context; a Simple expression
 * that did ({@code ${exchangeProperty.caravanRequest.org}}) would call the getter by reflection on every request.
 */
public final class LlmRequestIs implements Predicate {

    private String api;
    private String org;
    private boolean noOrg;

    @Override
    public void init(CamelContext context) {
        int asked = (api != null ? 1 : 0) + (org != null ? 1 : 0) + (noOrg ? 1 : 0);
        if (asked != 1) {
            throw new IllegalArgumentException("An LlmRequestIs asks one thing: api, org or noOrg");
        }
    }

    @Override
    public boolean matches(Exchange exchange) {
        LlmRequest request = LlmRequest.of(exchange);
        if (api != null) {
            return api.equals(request.api().family());
        }
        return noOrg ? request.org() == null : org.equals(request.org());
    }

    /** The API family: vertex, anthropic or openai. */
    public void setApi(String api) {
        this.api = api;
    }

    /** The organization, as the org header names it. */
    public void setOrg(String org) {
        this.org = org;
    }

    /** Whether the question is: was no org header sent. */
    public void setNoOrg(boolean noOrg) {
        this.noOrg = noOrg;
    }
}
