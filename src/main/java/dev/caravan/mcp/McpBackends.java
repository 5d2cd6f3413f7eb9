package dev.caravan.mcp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Navigate;
import org.apache.camel.Processor;
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
 * their id from its {@code name} parameter; their last step is the backend's {@link McpBackend}, whose health decides
 * whether fan-outs leave it out.
 */
public final class McpBackends extends EventNotifierSupport {

    public static final String GROUP = "mcp-backends";
    public static final String TEMPLATE = "mcp-backend";
    /** backend names become tool-name prefixes and URI schemes, so they must be valid in both */
    private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9.-]{0,62}");
    private static final Logger LOG = LoggerFactory.getLogger(McpBackends.class);

    /** One declared backend, the endpoint of its route and the health of the route's {@link McpBackend}. */
    public record Backend(String name, Endpoint endpoint, McpBackendHealth health) {
    }

    private final Set<String> reportedInvalid = ConcurrentHashMap.newKeySet();
    /** the backends as of the last route change; rebuilt when a route is added, removed, started or stopped */
    private volatile List<Backend> current;

    /** where each backend was first seen among the backends; a name keeps its place after its route is replaced */
    private final Map<String, Long> places = new ConcurrentHashMap<>();
    private final AtomicLong nextPlace = new AtomicLong();

    public McpBackends() {
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

    /**
     * The started backends in declaration order, as of the last route change. A backend keeps the place it was first
     * seen at when a reload replaces its route (Camel adds the new route last), so merged lists keep their order and
     * agents' prompt caches stay valid.
     */
    public List<Backend> all() {
        List<Backend> backends = current;
        if (backends == null) {
            backends = discover();
            current = backends;
        }
        return backends;
    }

    private List<Backend> discover() {
        List<Backend> backends = new ArrayList<>();
        CamelContext camelContext = getCamelContext();
        for (Route route : camelContext.getRoutes()) {
            if (GROUP.equals(route.getGroup())) {
                // declared ones, started or not: their places are declaration order
                places.computeIfAbsent(route.getRouteId(), n -> nextPlace.getAndIncrement());
            }
        }
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
            McpBackend plugin = plugin(route.navigate());
            backends.add(new Backend(route.getRouteId(), route.getEndpoint(),
                    plugin == null ? McpBackendHealth.UNWATCHED : plugin.health()));
        }
        backends.sort(Comparator.comparingLong(b -> places.get(b.name())));
        return List.copyOf(backends);
    }

    /** The route's {@link McpBackend} step, found among its processors; null in a route not made from the kamelet. */
    private static McpBackend plugin(Navigate<Processor> steps) {
        if (steps == null || !steps.hasNext()) {
            return null;
        }
        for (Processor step : steps.next()) {
            if (step instanceof McpBackend backend) {
                return backend;
            }
            if (step instanceof Navigate<?> inner) {
                @SuppressWarnings("unchecked")
                McpBackend found = plugin((Navigate<Processor>) inner);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
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
     * next page of a list only the backends that have more. Backends that are down (their {@link McpBackendHealth}) are
     * left out and counted, unless all of them are: then there is nothing to lose by asking them all.
     */
    public List<Endpoint> recipients(Exchange exchange) {
        return targets(exchange).stream().map(Backend::endpoint).toList();
    }

    /** The backends of a fan-out, as {@link #recipients} says. */
    public List<Backend> targets(Exchange exchange) {
        McpCall call = McpCall.of(exchange);
        String method = call.method();
        List<Backend> candidates = candidates(call);
        List<Backend> up = candidates.stream().filter(b -> !b.health().isDown()).toList();
        if (up.isEmpty()) {
            return candidates;
        }
        candidates.stream().filter(b -> b.health().isDown()).forEach(b -> b.health().skipped(method));
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
