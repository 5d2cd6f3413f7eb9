package dev.caravan;

import dev.caravan.core.Settings;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import com.jayway.jsonpath.JsonPath;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.main.Main;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.PropertyBindingException;
import org.apache.camel.spi.PackageScanResourceResolver;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PropertyBindingSupport;
import org.apache.camel.util.TimeUtils;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * {@code caravan.jar validate}: loads the configuration, route files and kamelets the way the gateway would, without
 * opening a port or calling a backend, and reports every problem as {@code file:line: message}.
 * <p>
 * Two passes. The first reads each file on its own and checks what users write: every bean (its class, and each
 * property set the way Camel sets it, so rules, regexes and JSONPath fields are compiled), every templatedRoute
 * against the JSON schema in its kamelet's {@code definition} (required, unknown, type, enum, pattern, uri and
 * duration formats), unique backend and provider names, fallbacks that name a provider, every simple and jsonpath
 * expression, and the durations and ports of the properties file. The second builds the whole gateway (routes created,
 * none started) and catches what only shows in context, such as a bean or endpoint a route refers to that does not
 * exist; it reports the first such problem.
 */
final class ConfigCheck {

    record Problem(String file, int line, String message) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + message;
        }
    }

    private static final List<String> DURATION_SUFFIXES = List.of("-timeout", ".ttl", "-interval", "-delay");

    private final List<Problem> problems = new ArrayList<>();
    private final Map<String, Map<String, Object>> templates = new HashMap<>();
    /** name -> where it was declared, per template. */
    private final Map<String, Map<String, Problem>> declared = new HashMap<>();
    private final List<Problem> fallbacks = new ArrayList<>();
    private CamelContext context;

    private ConfigCheck() {
    }

    /** Checks the configuration in the working directory; prints the problems and returns the exit code. */
    static int run(PrintStream out) {
        Configurator.setRootLevel(Level.OFF);
        ConfigCheck check = new ConfigCheck();
        Main main = Gateway.create(false);
        // built, not served: no listener, routes created but not started
        main.addOverrideProperty("camel.main.auto-startup", "false");
        main.addOverrideProperty("camel.main.source-location-enabled", "true");
        main.addOverrideProperty("camel.main.routes-reload-enabled", "false");
        main.addOverrideProperty("camel.server.enabled", "false");
        main.addOverrideProperty("camel.management.enabled", "false");
        Exception whole = null;
        try {
            main.start();
        } catch (Exception e) {
            whole = e;
        }
        check.context = main.getCamelContext();
        int files = 0;
        if (check.context != null) {
            files = check.checkFiles();
            check.checkProperties();
        }
        if (whole != null) {
            check.addWhole(whole);
        }
        try {
            main.stop();
        } catch (Exception ignored) {
            // nothing was served; the report is what matters
        }
        check.problems.sort(Comparator.comparing(Problem::file).thenComparingInt(Problem::line));
        check.problems.forEach(out::println);
        if (check.problems.isEmpty()) {
            out.println("Configuration OK: " + files + " files, " + check.count("mcp-backend") + " MCP backends, "
                        + check.count("llm-provider") + " LLM providers");
            return 0;
        }
        out.println(check.problems.size() + (check.problems.size() == 1 ? " problem" : " problems"));
        return 1;
    }

    private int count(String template) {
        return declared.getOrDefault(template, Map.of()).size();
    }

    private int checkFiles() {
        List<Resource> kamelets = new ArrayList<>();
        List<Resource> routes = new ArrayList<>();
        for (String pattern : Settings.csv(property("camel.main.routes-include-pattern").orElse(""))) {
            for (Resource r : resources(pattern)) {
                (r.getLocation().endsWith(".kamelet.yaml") ? kamelets : routes).add(r);
            }
        }
        for (String dir : Settings.csv(property("camel.component.kamelet.location").orElse(""))) {
            kamelets.addAll(resources(dir + "/*.kamelet.yaml"));
        }
        kamelets.forEach(k -> read(k).ifPresent(root -> kamelet(k, root)));
        routes.forEach(r -> read(r).ifPresent(root -> routeFile(name(r), root)));
        for (Problem f : fallbacks) {
            if (!declared.getOrDefault("llm-provider", Map.of()).containsKey(f.message())) {
                problems.add(new Problem(f.file(), f.line(), "fallback " + f.message() + " is not a declared "
                                                             + "llm-provider"));
            }
        }
        return (int) routes.stream().map(Resource::getLocation).distinct().count()
               + (int) kamelets.stream().map(Resource::getLocation).distinct().count();
    }

    private Collection<Resource> resources(String pattern) {
        try {
            return context.getCamelContextExtension().getContextPlugin(PackageScanResourceResolver.class)
                    .findResources(pattern);
        } catch (Exception e) {
            problems.add(new Problem(pattern, 0, "cannot list files: " + e.getMessage()));
            return List.of();
        }
    }

    private static String name(Resource r) {
        String location = r.getLocation();
        return location.startsWith("file:") ? location.substring(5) : location;
    }

    private Optional<Node> read(Resource r) {
        try (var in = r.getInputStream()) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Compose(LoadSettings.builder().setLabel(name(r)).build()).composeString(text);
        } catch (MarkedYamlEngineException e) {
            problems.add(new Problem(name(r), e.getProblemMark().map(m -> m.getLine() + 1).orElse(0),
                    "not valid YAML: " + e.getProblem()));
        } catch (Exception e) {
            problems.add(new Problem(name(r), 0, "cannot read: " + e.getMessage()));
        }
        return Optional.empty();
    }

    /** A kamelet's parameter schema, by its name, for checking the templatedRoutes that use it. */
    private void kamelet(Resource file, Node root) {
        String kameletName = scalar(path(root, "metadata", "name")).orElse(null);
        Node definition = path(root, "spec", "definition");
        if (kameletName == null || definition == null) {
            problems.add(new Problem(name(file), line(root), "not a Kamelet: metadata.name and spec.definition "
                                                              + "are required"));
            return;
        }
        templates.put(kameletName, plain(definition));
    }

    private void routeFile(String file, Node root) {
        if (!(root instanceof SequenceNode items)) {
            problems.add(new Problem(file, line(root), "a route file is a list (of beans, route, templatedRoute, ...)"));
            return;
        }
        for (Node item : items.getValue()) {
            mapping(item).forEach((kind, body) -> {
                switch (kind) {
                    case "beans" -> list(body).forEach(b -> bean(file, b));
                    case "templatedRoute" -> templatedRoute(file, body);
                    case "routeTemplate" -> scalar(mapping(body).get("id"))
                            .ifPresent(id -> templates.putIfAbsent(id, Map.of()));
                    default -> expressions(file, body);
                }
            });
        }
    }

    private void bean(String file, Node node) {
        Map<String, Node> bean = mapping(node);
        String beanName = scalar(bean.get("name")).orElse("(unnamed)");
        String type = scalar(bean.get("type")).map(t -> t.startsWith("#class:") ? t.substring(7) : t).orElse(null);
        if (type == null) {
            problems.add(new Problem(file, line(node), "bean " + beanName + ": type is required"));
            return;
        }
        Class<?> cls = context.getClassResolver().resolveClass(type);
        if (cls == null) {
            problems.add(new Problem(file, line(bean.get("type")), "bean " + beanName + ": no class " + type));
            return;
        }
        if (!type.startsWith("dev.caravan.")) {
            return;
        }
        Object instance;
        try {
            instance = cls.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            problems.add(new Problem(file, line(node), "bean " + beanName + ": cannot create " + type));
            return;
        }
        if (instance instanceof CamelContextAware aware) {
            aware.setCamelContext(context);
        }
        mapping(bean.get("properties")).forEach((key, value) -> resolved(file, value, "bean " + beanName + " " + key,
                v -> {
                    try {
                        PropertyBindingSupport.build().withCamelContext(context).withTarget(instance)
                                .withProperty(key, v).withMandatory(true).bind();
                    } catch (RuntimeException e) {
                        problems.add(new Problem(file, lineWithin(value, rootMessage(e)), e instanceof PropertyBindingException
                                                                    && e.getCause() == null
                                ? "bean " + beanName + ": " + cls.getSimpleName() + " has no property " + key
                                : "bean " + beanName + " " + key + ": " + rootMessage(e)));
                    }
                }));
    }

    private void templatedRoute(String file, Node node) {
        Map<String, Node> route = mapping(node);
        String ref = scalar(route.get("routeTemplateRef")).orElse(null);
        Map<String, Object> schema = ref == null ? null : templates.get(ref);
        if (schema == null) {
            problems.add(new Problem(file, line(node), ref == null ? "templatedRoute needs routeTemplateRef"
                    : "no kamelet or route template " + ref));
            return;
        }
        Map<String, Node> params = new LinkedHashMap<>();
        Map<String, Node> names = new HashMap<>();
        for (Node p : list(route.get("parameters"))) {
            Map<String, Node> param = mapping(p);
            scalar(param.get("name")).ifPresent(n -> {
                params.put(n, param.getOrDefault("value", p));
                names.put(n, param.get("name"));
            });
        }
        String label = ref + " " + scalar(params.get("name")).orElse("");
        Map<String, Object> properties = asMap(schema.get("properties"));
        for (Object required : asList(schema.get("required"))) {
            if (!params.containsKey(required.toString())) {
                problems.add(new Problem(file, line(node), label + ": parameter " + required + " is required"));
            }
        }
        params.forEach((key, value) -> {
            if (!properties.isEmpty() && !properties.containsKey(key)) {
                problems.add(new Problem(file, line(names.get(key)), label + ": no parameter " + key + " (" + ref + " takes "
                                                            + String.join(", ", properties.keySet()) + ")"));
                return;
            }
            resolved(file, value, label + " " + key,
                    v -> parameter(file, line(value), label, key, v, asMap(properties.get(key))));
        });
        scalar(params.get("name")).ifPresent(n -> {
            Problem here = new Problem(file, line(params.get("name")), n);
            Problem before = declared.computeIfAbsent(ref, k -> new LinkedHashMap<>()).putIfAbsent(n, here);
            if (before != null) {
                problems.add(new Problem(file, here.line(), label + ": the name is already declared at "
                                                            + before.file() + ":" + before.line()));
            }
        });
        if ("llm-provider".equals(ref) && params.containsKey("fallback")) {
            resolved(file, params.get("fallback"), label + " fallback",
                    v -> fallbacks.add(new Problem(file, line(params.get("fallback")), v)));
        }
    }

    /** One templatedRoute parameter against its property in the kamelet's JSON schema. */
    private void parameter(String file, int line, String label, String key, String value, Map<String, Object> schema) {
        String where = label + " " + key + ": ";
        Object type = schema.get("type");
        if ("integer".equals(type) && !value.strip().matches("-?\\d+")) {
            problems.add(new Problem(file, line, where + value + " is not an integer"));
        } else if ("boolean".equals(type) && !value.strip().matches("true|false")) {
            problems.add(new Problem(file, line, where + value + " is not true or false"));
        }
        List<Object> allowed = asList(schema.get("enum"));
        if (!allowed.isEmpty() && allowed.stream().noneMatch(a -> a.toString().equals(value.strip()))) {
            problems.add(new Problem(file, line, where + value + " is not one of " + allowed));
        }
        if (schema.get("pattern") instanceof String pattern && !java.util.regex.Pattern.compile(pattern)
                .matcher(value).find()) {
            problems.add(new Problem(file, line, where + "\"" + value + "\" does not match " + pattern));
        }
        if ("uri".equals(schema.get("format"))) {
            checkUrl(value).ifPresent(why -> problems.add(new Problem(file, line, where + why)));
        } else if ("duration".equals(schema.get("format")) && !value.isBlank()) {
            checkDuration(value).ifPresent(why -> problems.add(new Problem(file, line, where + why)));
        }
    }

    private static Optional<String> checkUrl(String value) {
        try {
            URI uri = new URI(value.strip());
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                return Optional.of(value + " is not an http(s) URL with a host");
            }
            return Optional.empty();
        } catch (Exception e) {
            return Optional.of(value + " is not a URL: " + e.getMessage());
        }
    }

    private static Optional<String> checkDuration(String value) {
        try {
            if (TimeUtils.toMilliSeconds(value.strip()) <= 0) {
                return Optional.of(value + " is not a positive duration");
            }
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(value + " is not a duration (such as 300s, 5m or 1h30m)");
        }
    }

    /** The simple and jsonpath expressions anywhere under a route, compiled. */
    private void expressions(String file, Node node) {
        if (node instanceof SequenceNode seq) {
            seq.getValue().forEach(n -> expressions(file, n));
        } else if (node instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                String key = scalar(t.getKeyNode()).orElse("");
                Node value = t.getValueNode() instanceof MappingNode m && mapping(m).containsKey("expression")
                        ? mapping(m).get("expression") : t.getValueNode();
                if ((key.equals("simple") || key.equals("jsonpath")) && value instanceof ScalarNode) {
                    resolved(file, value, key, v -> {
                        try {
                            if (key.equals("simple")) {
                                context.resolveLanguage("simple").createExpression(v);
                            } else {
                                JsonPath.compile(v);
                            }
                        } catch (RuntimeException e) {
                            problems.add(new Problem(file, line(value), key + " \"" + v + "\": " + rootMessage(e)));
                        }
                    });
                } else {
                    expressions(file, t.getValueNode());
                }
            }
        }
    }

    /** The durations and ports of the properties files, where the gateway would only fail at its first use. */
    private void checkProperties() {
        String locations = System.getProperty("caravan.config", "file:config/application.properties");
        for (String location : Settings.csv(locations)) {
            Path file = Path.of(location.replaceFirst("^file:", ""));
            List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (Exception e) {
                problems.add(new Problem(file.toString(), 0, "cannot read: " + e.getMessage()));
                continue;
            }
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                int eq = line.indexOf('=');
                if (line.startsWith("#") || eq <= 0) {
                    continue;
                }
                String key = line.substring(0, eq).strip();
                int number = i + 1;
                if (key.endsWith(".port") || DURATION_SUFFIXES.stream().anyMatch(key::endsWith)) {
                    Optional<String> value;
                    try {
                        value = property(key);
                    } catch (RuntimeException e) {
                        problems.add(new Problem(file.toString(), number, key + ": " + rootMessage(e)));
                        continue;
                    }
                    value.filter(v -> !v.isBlank()).flatMap(v -> key.endsWith(".port") ? checkPort(v)
                            : checkDuration(v)).ifPresent(why -> problems.add(
                                    new Problem(file.toString(), number, key + ": " + why)));
                }
            }
        }
    }

    private static Optional<String> checkPort(String value) {
        return value.strip().matches("\\d{1,5}") && Integer.parseInt(value.strip()) <= 65535 ? Optional.empty()
                : Optional.of(value + " is not a port (0 to 65535)");
    }

    /** What the whole gateway reported, unless it is a problem the first pass found already. */
    private void addWhole(Exception e) {
        String message = rootMessage(e);
        if (problems.stream().anyMatch(p -> message.contains(p.message()) || p.message().contains(message)
                                            || message.contains(p.message().replaceFirst("^.*?: ", "")))) {
            return;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FailedToCreateRouteException failed && failed.getRouteId() != null) {
                RouteDefinition route = context.getCamelContextExtension().getContextPlugin(Model.class)
                        .getRouteDefinition(failed.getRouteId());
                if (route != null && route.getLocation() != null) {
                    problems.add(new Problem(route.getLocation().replaceFirst("^file:", ""),
                            failingStep(route, failed.getMessage()).orElse(route.getLineNumber()),
                            "route " + failed.getRouteId() + ": " + message));
                    return;
                }
            }
        }
        problems.add(new Problem(property("camel.main.routes-include-pattern").orElse("configuration"), 0,
                Gateway.causes(e)));
    }

    /** The line of the step Camel names in "Failed to create route r at: >>> step <<< in route: ...". */
    private static Optional<Integer> failingStep(RouteDefinition route, String message) {
        int start = message.indexOf(">>> ");
        int end = message.indexOf(" <<<");
        if (start < 0 || end < start) {
            return Optional.empty();
        }
        String step = message.substring(start + 4, end);
        List<ProcessorDefinition<?>> todo = new ArrayList<>(route.getOutputs());
        while (!todo.isEmpty()) {
            ProcessorDefinition<?> p = todo.remove(0);
            if (p.toString().equals(step) && p.getLineNumber() > 0) {
                return Optional.of(p.getLineNumber());
            }
            todo.addAll(p.getOutputs());
        }
        return Optional.empty();
    }

    private void resolved(String file, Node value, String what, Consumer<String> check) {
        String raw = scalar(value).orElse("");
        String v;
        try {
            v = context.resolvePropertyPlaceholders(raw);
        } catch (RuntimeException e) {
            problems.add(new Problem(file, line(value), what + ": " + rootMessage(e)));
            return;
        }
        check.accept(v);
    }

    private Optional<String> property(String key) {
        return context.getPropertiesComponent().resolveProperty(key);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        // one line per problem (a PatternSyntaxException shows the pattern on a line of its own)
        return root.getMessage() == null ? root.getClass().getSimpleName()
                : root.getMessage().strip().replaceAll("\\s*\\R\\s*", " ");
    }

    // YAML node helpers

    private static int line(Node node) {
        return node == null ? 0 : node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    /** For a value of several lines (a list of rules or fields), the line the message quotes, else its first. */
    private static int lineWithin(Node value, String message) {
        if (value instanceof ScalarNode s && s.getScalarStyle() != ScalarStyle.PLAIN) {
            String[] lines = s.getValue().split("\n");
            // a block scalar starts on the line after its '|' or '>'
            int first = line(value) + (s.getScalarStyle() == ScalarStyle.LITERAL
                                       || s.getScalarStyle() == ScalarStyle.FOLDED ? 1 : 0);
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].strip().length() > 3 && message.contains(lines[i].strip())) {
                    return first + i;
                }
            }
        }
        return line(value);
    }

    private static Optional<String> scalar(Node node) {
        return node instanceof ScalarNode s ? Optional.of(s.getValue()) : Optional.empty();
    }

    private static Map<String, Node> mapping(Node node) {
        Map<String, Node> map = new LinkedHashMap<>();
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                scalar(t.getKeyNode()).ifPresent(k -> map.put(k, t.getValueNode()));
            }
        }
        return map;
    }

    private static List<Node> list(Node node) {
        return node instanceof SequenceNode s ? s.getValue() : List.of();
    }

    private static Node path(Node node, String... keys) {
        Node n = node;
        for (String key : keys) {
            n = mapping(n).get(key);
        }
        return n;
    }

    /** A YAML node as plain maps, lists and strings (for a kamelet's schema). */
    private static Map<String, Object> plain(Node node) {
        Map<String, Object> map = new LinkedHashMap<>();
        mapping(node).forEach((k, v) -> map.put(k, plainValue(v)));
        return map;
    }

    private static Object plainValue(Node node) {
        if (node instanceof MappingNode) {
            return plain(node);
        }
        if (node instanceof SequenceNode s) {
            return s.getValue().stream().map(ConfigCheck::plainValue).toList();
        }
        return scalar(node).orElse("");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object o) {
        return o instanceof List<?> l ? (List<Object>) l : List.of();
    }
}
