package dev.caravan.mcp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import dev.caravan.auth.AccessRule;
import dev.caravan.auth.RequestFacts;
import dev.caravan.auth.Rule;
import io.vertx.core.buffer.Buffer;
import dev.caravan.core.ReplyBody;

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
public final class McpAccessPolicy implements Processor {

    private static final ObjectMapper JSON = new ObjectMapper();

    private String name = "mcp-access";
    private final Map<String, List<Rule>> rules = new HashMap<>();

    @Override
    public void process(Exchange exchange) throws IOException {
        McpMethod method = McpCall.of(exchange).row();
        if (method == null) {
            return;
        }
        if (method.listKey() != null) {
            filter(exchange, method);
        } else {
            check(exchange, method);
        }
    }

    /** Refuses a call to a tool, prompt or resource no rule of its kind allows. */
    private void check(Exchange exchange, McpMethod method) {
        McpCall call = McpCall.of(exchange);
        JsonRpc.Message request = call.message();
        JsonNode params = request.params();
        // completing an argument of a prompt or resource template reveals as much as using it
        McpMethod.Item item = method == McpMethod.COMPLETION_COMPLETE ? McpCallRouter.completed(params)
                : method.item();
        String target = call.target();
        if (item == null || target == null || open(item.rulesKind())) {
            return;
        }
        String kind = item.rulesKind();
        JsonNode arguments = method == McpMethod.COMPLETION_COMPLETE ? null : params.get("arguments");
        Map<String, Object> facts = item(exchange, kind, target, call.backend());
        facts.put("mcp.arguments", arguments == null ? Map.of() : JSON.convertValue(arguments, Map.class));
        Rule.Facts all = RequestFacts.of(exchange, facts);
        if (rules.get(kind).stream().noneMatch(r -> r.allows(all))) {
            throw AccessRule.deny(exchange, name, "no " + kind + " rule allows it", kind + " " + target);
        }
    }

    /**
     * Hides the items of a merged list that no rule could allow. Rules on arguments cannot be decided yet, so an item
     * they might allow stays visible and its calls are checked when they come.
     */
    private void filter(Exchange exchange, McpMethod method) throws IOException {
        McpMethod.Item listed = method.item();
        if (open(listed.rulesKind())) {
            return;
        }
        JsonNode reply = JSON.readTree(exchange.getMessage().getBody(Buffer.class).getBytes());
        if (!(reply.path("result").path(method.listKey()) instanceof ArrayNode items)) {
            return;
        }
        McpSessions.Session session = McpCall.of(exchange).session();
        ArrayNode kept = JSON.createArrayNode();
        for (JsonNode item : items) {
            String itemName = item.path(listed.listField()).asText();
            Map<String, Object> facts = item(exchange, listed.rulesKind(), itemName,
                    backendOf(exchange, session, itemName, listed.separator()));
            facts.put("mcp.arguments", Rule.UNKNOWN);
            Rule.Facts all = RequestFacts.of(exchange, facts);
            if (rules.get(listed.rulesKind()).stream().anyMatch(r -> r.evaluate(all) != Rule.Outcome.FALSE)) {
                kept.add(item);
            }
        }
        ((ObjectNode) reply.get("result")).set(method.listKey(), kept);
        if (reply.get("result").has("cacheScope")) {
            // filtered for this caller: not a list to share with others (MCP 2026-07-28 cache hints)
            ((ObjectNode) reply.get("result")).put("cacheScope", "private");
        }
        exchange.getMessage().setBody(ReplyBody.of(JSON.writeValueAsBytes(reply)));
    }

    /** The backend a listed item came from, as calls to it will be routed. */
    private static String backendOf(Exchange exchange, McpSessions.Session session, String itemName, char separator) {
        if (!session.qualified()) {
            return session.backends().keySet().iterator().next();
        }
        McpBackends.Backend owner = exchange.getContext().getRegistry().findSingleByType(McpBackends.class)
                .owner(itemName, separator);
        return owner == null ? null : owner.name();
    }

    private static Map<String, Object> item(Exchange exchange, String kind, String target, String backend) {
        Map<String, Object> facts = new HashMap<>();
        facts.put("mcp." + kind, target);
        facts.put("mcp.backend", backend);
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
}
