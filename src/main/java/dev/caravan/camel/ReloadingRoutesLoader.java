package dev.caravan.camel;

import java.io.File;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.engine.DefaultRoutesLoader;
import org.apache.camel.model.Model;
import org.apache.camel.model.TemplatedRouteDefinition;
import org.apache.camel.model.TemplatedRouteParameterDefinition;
import org.apache.camel.spi.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes Camel's route-file reload for {@code templatedRoute} blocks, which is how backends and providers are
 * declared. Camel 4.18 reloads plain routes of an edited file but ignores its templated routes and never removes a
 * route whose block was deleted. On every reload this loader compares each file's templated routes with what the file
 * declared before: new blocks are added, changed blocks replaced, deleted blocks (or deleted files) removed, and
 * unchanged blocks left alone, so their in-flight streams carry on. Templated routes must have a stable id (a
 * {@code routeId}, or the {@code name} parameter of the gateway's kamelets).
 */
public final class ReloadingRoutesLoader extends DefaultRoutesLoader {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadingRoutesLoader.class);

    /** per route file: the templated routes it declared when last loaded */
    private final Map<String, Map<String, TemplatedRouteDefinition>> declared = new ConcurrentHashMap<>();
    /** per route file: the builders created from it, read once Camel has configured them */
    private final Map<String, List<RoutesBuilder>> pending = new ConcurrentHashMap<>();

    @Override
    public Collection<RoutesBuilder> findRoutesBuilders(Collection<Resource> resources, boolean optional)
            throws Exception {
        Collection<RoutesBuilder> builders = super.findRoutesBuilders(resources, optional);
        for (RoutesBuilder builder : builders) {
            if (builder instanceof RouteBuilder rb && rb.getResource() != null) {
                pending.computeIfAbsent(rb.getResource().getLocation(), k -> new ArrayList<>()).add(rb);
            }
        }
        return builders;
    }

    @Override
    public synchronized Set<String> updateRoutes(Collection<Resource> resources) throws Exception {
        rememberConfiguredBuilders();
        Map<String, Map<String, TemplatedRouteDefinition>> before = new HashMap<>(declared);
        for (Resource resource : resources) {
            pending.remove(resource.getLocation());
        }
        // plain routes and route configurations: Camel's own update
        Set<String> ids = new LinkedHashSet<>(super.updateRoutes(resources));
        rememberConfiguredBuilders();

        Set<String> reloaded = new LinkedHashSet<>();
        resources.forEach(r -> reloaded.add(r.getLocation()));
        for (String location : before.keySet()) {
            if (!reloaded.contains(location) && !exists(location)) {
                // the file was deleted: everything it declared goes
                reloaded.add(location);
                declared.put(location, Map.of());
            }
        }
        for (String location : reloaded) {
            Map<String, TemplatedRouteDefinition> old = before.getOrDefault(location, Map.of());
            Map<String, TemplatedRouteDefinition> now = declared.getOrDefault(location, Map.of());
            for (String id : old.keySet()) {
                if (!now.containsKey(id)) {
                    remove(id);
                    LOG.info("Route {} removed: its block is gone from {}", id, location);
                }
            }
            for (Map.Entry<String, TemplatedRouteDefinition> e : now.entrySet()) {
                TemplatedRouteDefinition previous = old.get(e.getKey());
                if (previous != null && sameDeclaration(previous, e.getValue())
                        && getCamelContext().getRoute(e.getKey()) != null) {
                    continue;
                }
                remove(e.getKey());
                getCamelContext().getCamelContextExtension().getContextPlugin(Model.class)
                        .addRouteFromTemplatedRoute(e.getValue());
                ids.add(e.getKey());
            }
        }
        declared.values().removeIf(Map::isEmpty);
        return ids;
    }

    /** Records the templated routes of builders Camel has configured since the last call. */
    private void rememberConfiguredBuilders() {
        pending.forEach((location, builders) -> {
            Map<String, TemplatedRouteDefinition> routes = new HashMap<>();
            for (RoutesBuilder b : builders) {
                for (TemplatedRouteDefinition t : ((RouteBuilder) b).getTemplatedRouteCollection().getTemplatedRoutes()) {
                    String id = idOf(t);
                    if (id == null) {
                        LOG.warn("A templatedRoute of {} in {} has neither routeId nor a name parameter; it cannot "
                                 + "be reloaded", t.getRouteTemplateRef(), location);
                    } else {
                        routes.put(id, t);
                    }
                }
            }
            declared.put(location, routes);
        });
        pending.clear();
    }

    private static String idOf(TemplatedRouteDefinition t) {
        if (t.getRouteId() != null) {
            return t.getRouteId();
        }
        if (t.getParameters() != null) {
            for (TemplatedRouteParameterDefinition p : t.getParameters()) {
                if ("name".equals(p.getName())) {
                    return p.getValue();
                }
            }
        }
        return null;
    }

    private static boolean sameDeclaration(TemplatedRouteDefinition a, TemplatedRouteDefinition b) {
        return Objects.equals(a.getRouteTemplateRef(), b.getRouteTemplateRef())
               && Objects.equals(parameters(a), parameters(b));
    }

    private static Map<String, String> parameters(TemplatedRouteDefinition t) {
        Map<String, String> map = new HashMap<>();
        if (t.getParameters() != null) {
            t.getParameters().forEach(p -> map.put(p.getName(), p.getValue()));
        }
        return map;
    }

    private void remove(String id) throws Exception {
        CamelContext context = getCamelContext();
        if (context.getRoute(id) != null) {
            // short grace: an in-flight call keeps running in Vert.x and still answers its client
            context.getRouteController().stopRoute(id, 1, TimeUnit.SECONDS);
            context.removeRoute(id);
        }
    }

    private static boolean exists(String location) {
        String path = location.startsWith("file:") ? location.substring(5) : location;
        try {
            return path.startsWith("/") || !path.contains(":") ? new File(path).exists()
                    : new File(URI.create(location)).exists();
        } catch (IllegalArgumentException e) {
            return true;
        }
    }
}
