package dev.caravan.mcp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP backends behind {@code /mcp}: every started route in the route group {@value #GROUP}, named by its route id.
 * The route files are the only list: adding, stopping or removing such a route (also by hot reload) changes what the
 * multiplexer fans out to, with nothing else to keep in sync. Routes made from the {@value #TEMPLATE} kamelet take
 * their id from its {@code name} parameter.
 */
public final class McpBackends extends EventNotifierSupport {

    public static final String GROUP = "mcp-backends";
    public static final String TEMPLATE = "mcp-backend";
    /** backend names become tool-name prefixes and URI schemes, so they must be valid in both */
    private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9.-]{0,62}");
    private static final Logger LOG = LoggerFactory.getLogger(McpBackends.class);

    /** One declared backend and the endpoint of its route. */
    public record Backend(String name, Endpoint endpoint) {
    }

    private final Set<String> reportedInvalid = ConcurrentHashMap.newKeySet();
    private final McpBackendHealth health;
    /** the backends as of the last route change; rebuilt when a route is added, removed, started or stopped */
    private volatile List<Backend> current;

    public McpBackends(McpBackendHealth health) {
        this.health = health;
        setIgnoreExchangeEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.RouteEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        current = null;
    }

    /** The started backends in declaration order, as of the last route change. */
    public List<Backend> all() {
        List<Backend> backends = current;
        if (backends == null) {
            backends = discover();
            current = backends;
            health.retain(backends);
        }
        return backends;
    }

    private List<Backend> discover() {
        List<Backend> backends = new ArrayList<>();
        CamelContext camelContext = getCamelContext();
        for (Route route : camelContext.getRoutes()) {
            if (!GROUP.equals(route.getGroup())
                    || camelContext.getRouteController().getRouteStatus(route.getRouteId()) != ServiceStatus.Started) {
                continue;
            }
            if (!VALID_NAME.matcher(route.getRouteId()).matches()) {
                if (reportedInvalid.add(route.getRouteId())) {
                    LOG.error("MCP backend route id '{}' is not usable as a name (letters, digits, '-' and '.', "
                              + "starting with a letter); the backend is left out", route.getRouteId());
                }
                continue;
            }
            backends.add(new Backend(route.getRouteId(), route.getEndpoint()));
        }
        return List.copyOf(backends);
    }

    public Backend byName(String name) {
        for (Backend b : all()) {
            if (b.name().equals(name)) {
                return b;
            }
        }
        return null;
    }

    public Backend byEndpointUri(String uri) {
        for (Backend b : all()) {
            if (b.endpoint().getEndpointUri().equals(uri)) {
                return b;
            }
        }
        return null;
    }

    /**
     * The backend whose name prefixes {@code qualified} followed by {@code separator}; the longest name wins so that
     * {@code kb} and {@code kb-v2} can coexist.
     */
    public Backend owner(String qualified, char separator) {
        Backend best = null;
        for (Backend b : all()) {
            String n = b.name();
            if (qualified.length() > n.length() + 1 && qualified.startsWith(n) && qualified.charAt(n.length()) == separator
                    && (best == null || n.length() > best.name().length())) {
                best = b;
            }
        }
        return best;
    }

    /**
     * Recipient list of a fan-out: every backend for initialize; otherwise the backends of the exchange's session
     * that declared the capability the method needs (tools/list only to servers with tools, logging/setLevel only to
     * those with logging); for GET and DELETE those that hold a session (a stream to open, a session to end); for the
     * next page of a list only the backends that have more. Backends that are down ({@link McpBackendHealth}) are left
     * out and counted, unless all of them are: then there is nothing to lose by asking them all.
     */
    public List<Endpoint> recipients(Exchange exchange) {
        return targets(exchange).stream().map(Backend::endpoint).toList();
    }

    /** The backends of a fan-out, as {@link #recipients} says. */
    public List<Backend> targets(Exchange exchange) {
        McpCall call = McpCall.of(exchange);
        String method = call.method();
        List<Backend> candidates = candidates(call);
        List<Backend> up = candidates.stream().filter(b -> !health.isDown(b.name())).toList();
        if (up.isEmpty()) {
            return candidates;
        }
        candidates.stream().filter(b -> health.isDown(b.name())).forEach(b -> health.skipped(b.name(), method));
        return up;
    }

    private List<Backend> candidates(McpCall call) {
        McpSessions.Session session = call.session();
        if (session == null) {
            return all();
        }
        // GET and DELETE: a stream to open, a session to end
        boolean needsSession = call.message() == null;
        String capability = call.row() == null ? null : call.row().needs();
        Map<String, String> cursors = call.cursors();
        return all().stream().filter(b -> {
            McpSessions.Backend held = session.backends().get(b.name());
            return held != null && (capability == null || held.capabilities().contains(capability))
                   && (!needsSession || held.sessionId() != null)
                   && (cursors == null || cursors.containsKey(b.name()));
        }).toList();
    }
}
