package dev.caravan.mcp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import dev.caravan.auth.AccessRule;
import dev.caravan.auth.AuthExchange;
import dev.caravan.auth.Rule;
import dev.caravan.telemetry.GatewayMetrics;

/**
 * Which tools, prompts and resources a caller may see and use. Each kind has its own list of {@link Rule}s, one per
 * line; an item is allowed when any rule of its kind allows it, and a kind without rules is open. The facts are the
 * caller's ({@code jwt.*}, {@code header.*}) and the item's: {@code mcp.tool}, {@code mcp.prompt} or
 * {@code mcp.resource} (as the client sees it, qualified), {@code mcp.backend}, and for calls {@code mcp.arguments.*}.
 * <p>
 * As a route step it filters merged lists (items no rule could allow are hidden; rules on arguments leave an item
 * visible, since the arguments are not known yet) and refuses calls with 403 — hidden items included, so a client
 * cannot call what it was not shown. Declared as a bean in a route file.
 */
public final class McpAccessPolicy implements Processor, CamelContextAware {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> LIST_KEYS = Map.of("tools/list", "tools", "prompts/list", "prompts",
            "resources/list", "resources", "resources/templates/list", "resourceTemplates");

    private CamelContext camelContext;
    private String name = "mcp-access";
    private final Map<String, List<Rule>> rules = new HashMap<>();

    @Override
    public void process(Exchange exchange) throws IOException {
        String method = exchange.getProperty(McpExchange.METHOD, "", String.class);
        if (LIST_KEYS.containsKey(method)) {
            filter(exchange, LIST_KEYS.get(method));
        } else {
            check(exchange, method);
        }
    }

    private void check(Exchange exchange, String method) {
        String kind = switch (method) {
            case "tools/call" -> "tool";
            case "prompts/get" -> "prompt";
            case "resources/read", "resources/subscribe", "resources/unsubscribe" -> "resource";
            default -> null;
        };
        String target = exchange.getProperty(McpExchange.TARGET, String.class);
        if (kind == null || target == null || open(kind)) {
            return;
        }
        JsonRpc.Message request = exchange.getProperty(McpExchange.MESSAGE, JsonRpc.Message.class);
        JsonNode arguments = request.params() == null ? null : request.params().get("arguments");
        Map<String, Object> facts = item(exchange, kind, target);
        facts.put("mcp.arguments", arguments == null ? Map.of() : JSON.convertValue(arguments, Map.class));
        Rule.Facts all = AuthExchange.facts(exchange, facts);
        if (rules.get(kind).stream().noneMatch(r -> r.allows(all))) {
            throw AccessRule.deny(exchange, name, "no " + kind + " rule allows it", kind + " " + target,
                    GatewayMetrics.of(camelContext));
        }
    }

    private void filter(Exchange exchange, String key) throws IOException {
        String kind = switch (key) {
            case "tools" -> "tool";
            case "prompts" -> "prompt";
            default -> "resource";
        };
        if (open(kind)) {
            return;
        }
        ByteBuffer body = exchange.getMessage().getBody(ByteBuffer.class);
        JsonNode reply = JSON.readTree(body.array(), body.arrayOffset() + body.position(), body.remaining());
        JsonNode items = reply.path("result").path(key);
        if (!(items instanceof ArrayNode list)) {
            return;
        }
        String field = key.equals("tools") || key.equals("prompts") ? "name"
                : key.equals("resources") ? "uri" : "uriTemplate";
        ArrayNode kept = JSON.createArrayNode();
        for (JsonNode item : list) {
            Map<String, Object> facts = item(exchange, kind, item.path(field).asText());
            facts.put("mcp.arguments", Rule.UNKNOWN);
            Rule.Facts all = AuthExchange.facts(exchange, facts);
            if (rules.get(kind).stream().anyMatch(r -> r.evaluate(all) != Rule.Outcome.FALSE)) {
                kept.add(item);
            }
        }
        ((ObjectNode) reply.get("result")).set(key, kept);
        exchange.getMessage().setBody(ByteBuffer.wrap(JSON.writeValueAsBytes(reply)));
    }

    private static Map<String, Object> item(Exchange exchange, String kind, String target) {
        Map<String, Object> facts = new HashMap<>();
        facts.put("mcp." + kind, target);
        facts.put("mcp.method", exchange.getProperty(McpExchange.METHOD, String.class));
        facts.put("mcp.backend", exchange.getProperty(McpExchange.BACKEND, String.class));
        return facts;
    }

    private boolean open(String kind) {
        return rules.getOrDefault(kind, List.of()).isEmpty();
    }

    private static List<Rule> parse(String lines) {
        List<Rule> parsed = new ArrayList<>();
        if (lines != null) {
            for (String line : lines.split("\n")) {
                if (!line.isBlank() && !line.strip().startsWith("#")) {
                    parsed.add(Rule.parse(line));
                }
            }
        }
        return parsed;
    }

    public void setName(String name) {
        this.name = name;
    }

    /** Rules for tools, one per line; a tool is allowed when one of them allows it. */
    public void setTools(String lines) {
        rules.put("tool", parse(lines));
    }

    /** Rules for prompts, one per line. */
    public void setPrompts(String lines) {
        rules.put("prompt", parse(lines));
    }

    /** Rules for resources and resource templates, one per line. */
    public void setResources(String lines) {
        rules.put("resource", parse(lines));
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }
}
