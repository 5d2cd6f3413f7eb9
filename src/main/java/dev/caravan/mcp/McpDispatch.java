package dev.caravan.mcp;

import org.apache.camel.Exchange;
import org.apache.camel.Predicate;

/**
 * Whether a request takes one route of routes/mcp.camel.yaml, as {@link McpMethod} says: one predicate bean per
 * {@link McpMethod.Dispatch}, named {@code mcpDispatch<Kind>} and used as {@code ref: mcpDispatchFanOut}. A registry
 * lookup and an enum comparison, where a Simple predicate per route would compare strings every request.
 */
public final class McpDispatch implements Predicate {

    private final McpMethod.Dispatch dispatch;

    public McpDispatch(McpMethod.Dispatch dispatch) {
        this.dispatch = dispatch;
    }

    /** The bean name of the predicate for a dispatch kind, e.g. {@code mcpDispatchFanOut} for FAN_OUT. */
    public static String beanName(McpMethod.Dispatch dispatch) {
        StringBuilder name = new StringBuilder("mcpDispatch");
        for (String word : dispatch.name().split("_")) {
            name.append(word.charAt(0)).append(word.substring(1).toLowerCase(java.util.Locale.ROOT));
        }
        return name.toString();
    }

    @Override
    public boolean matches(Exchange exchange) {
        McpCall call = McpCall.of(exchange);
        return call != null && call.dispatch() == dispatch;
    }
}
