package dev.caravan.telemetry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import org.apache.camel.Exchange;

import dev.caravan.core.RequestContext;
import dev.caravan.core.ClientRequest;

/**
 * Extra metric labels and access-log fields, declared in a route file, one per line:
 * <pre>
 * product = body $.params.arguments.product | max 20
 * team    = jwt.team                        | allow support, sales, engineering
 * agent   = header.x-agent-name
 * </pre>
 * A field comes from the request body by JSONPath ({@code body <path>}), from a claim of the caller's token
 * ({@code jwt.<claim>}) or from a request header ({@code header.<name>}). Its values are bounded ({@link LabelCap}):
 * {@code allow} lists the only values kept, {@code max} how many distinct values are kept (default 50); the rest count
 * as {@code other}, a missing value as {@code none}. Declared as a bean; the listeners' telemetry steps use it.
 */
public final class Fields {

    private static final Pattern LINE = Pattern.compile(
            "\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*=\\s*(body\\s+\\S+|jwt\\.[\\w.-]+|header\\.[\\w-]+)\\s*(?:\\|\\s*(.*))?");
    private static final Configuration JSON_PATH = Configuration.builder()
            .jsonProvider(new JacksonJsonNodeJsonProvider()).mappingProvider(new JacksonMappingProvider())
            .options(Option.SUPPRESS_EXCEPTIONS, Option.DEFAULT_PATH_LEAF_TO_NULL).build();

    /** a path of plain names ($.a.b): read by a JSON pointer, without JsonPath's evaluation on every request */
    private static final Pattern DOTTED = Pattern.compile("\\$(\\.[A-Za-z_][\\w-]*)+");

    /** One declared field; a body field has its JSONPath, and a pointer when the path is only names. */
    private record Field(String name, String source, JsonPath path, JsonPointer pointer, LabelCap cap) {
    }

    private List<Field> fields = List.of();

    /** The names of the fields, in declaration order: the extra label keys. */
    public List<String> names() {
        return fields.stream().map(Field::name).toList();
    }

    /** Whether any field reads the body (so a caller knows whether it must parse one). */
    public boolean readsBody() {
        return fields.stream().anyMatch(f -> f.path() != null);
    }

    /** The value of every field for a request, bounded; {@code body} may be null (no body, or none read). */
    public Map<String, String> of(Exchange exchange, JsonNode body) {
        if (fields.isEmpty()) {
            return Map.of();
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Field f : fields) {
            values.put(f.name(), f.cap().of(raw(f, exchange, body)));
        }
        return values;
    }

    private static String raw(Field f, Exchange exchange, JsonNode body) {
        if (f.path() != null) {
            if (body == null) {
                return null;
            }
            JsonNode value = f.pointer() != null ? body.at(f.pointer()) : f.path().read(body, JSON_PATH);
            return value == null || value.isNull() || value.isMissingNode() ? null
                    : value.isValueNode() ? value.asText() : value.toString();
        }
        if (f.source().startsWith("jwt.")) {
            Object value = RequestContext.caller(exchange).claims();
            for (String part : f.source().substring(4).split("\\.")) {
                value = value instanceof Map<?, ?> m ? m.get(part) : null;
            }
            return value == null ? null : value.toString();
        }
        // the client's request as it came (routes replace message headers on the way; the query string is no header)
        return ClientRequest.header(exchange, f.source().substring(7));
    }

    /** The fields, one per line ({@code #} starts a comment); a line that does not parse fails the route file. */
    public void setFields(String lines) {
        List<Field> parsed = new ArrayList<>();
        for (String line : lines.split("\n")) {
            String text = line.replaceFirst("#.*$", "");
            if (text.isBlank()) {
                continue;
            }
            Matcher m = LINE.matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("field \"" + line.strip() + "\" must look like 'name = body $.path', "
                                                   + "'name = jwt.claim' or 'name = header.name', then '| max N' or "
                                                   + "'| allow a, b'");
            }
            String source = m.group(2);
            String expression = source.startsWith("body") ? source.substring(4).strip() : null;
            JsonPath path = expression == null ? null : path(expression, line);
            JsonPointer pointer = expression != null && DOTTED.matcher(expression).matches()
                    ? JsonPointer.compile(expression.substring(1).replace('.', '/')) : null;
            parsed.add(new Field(m.group(1), source, path, pointer, cap(m.group(3), line)));
        }
        this.fields = List.copyOf(parsed);
    }

    private static JsonPath path(String path, String line) {
        try {
            return JsonPath.compile(path);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("field \"" + line.strip() + "\": " + path + " is not a JSONPath ("
                                               + e.getMessage() + ")");
        }
    }

    private static LabelCap cap(String options, String line) {
        if (options == null || options.isBlank()) {
            return LabelCap.max(50);
        }
        String o = options.strip();
        if (o.toLowerCase(Locale.ROOT).startsWith("allow ")) {
            Set<String> allowed = Arrays.stream(o.substring(6).split(",")).map(String::strip)
                    .filter(s -> !s.isEmpty()).collect(Collectors.toSet());
            return new LabelCap(allowed, allowed.size());
        }
        if (o.toLowerCase(Locale.ROOT).matches("max\\s+[1-9][0-9]{0,5}")) {
            return LabelCap.max(Integer.parseInt(o.substring(4).strip()));
        }
        throw new IllegalArgumentException("field \"" + line.strip() + "\": after '|' comes 'max N' (1 to 999999) or "
                                           + "'allow a, b'");
    }
}
