package dev.caravan.llm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What LLM tokens cost, from the table generated out of {@code @pydantic/genai-prices} (MIT licence; see
 * {@code src/main/node/prices/generate.mjs}) plus the operator's overrides. The calculation follows that package's:
 * a model is found by its match rules (case-insensitive, the first that matches, then again with a {@code -YYYYMMDD}
 * date written {@code -YYYY-MM-DD}, then in the provider's fallback providers); prices are per million tokens, the
 * latest dated price set in force applies, and a tiered price takes the rate of the highest tier the request's total
 * input passes. Cached tokens are priced at their own rate when the model has one, else as input.
 */
public final class PriceTable {

    /** A request's cost in USD, split like the provider bills it, and the price-table model that priced it. */
    public record Cost(double input, double output, String model) {
        public double total() {
            return input + output;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DATE_SUFFIX = Pattern.compile("-(20\\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\\d|3[01])(?=-|:|$)");

    /**
     * A model of the table; its price sets with their constraints parsed at load (a date or a time-of-day window), so
     * that pricing a request parses no dates.
     */
    private record Model(String id, JsonNode match, JsonNode prices, List<PriceSet> sets) {

        static Model of(String id, JsonNode match, JsonNode prices) {
            List<PriceSet> sets = new ArrayList<>();
            if (prices != null && prices.isArray()) {
                prices.forEach(set -> sets.add(PriceSet.of(set)));
            }
            return new Model(id, match, prices, List.copyOf(sets));
        }
    }

    private record Provider(List<Model> models, List<String> fallback) {
    }

    private final Map<String, Provider> providers = new HashMap<>();
    /** the model a (price list, model name) found, or NONE; matching rules on every request cost more than the call */
    private final Map<String, Model> found = new java.util.concurrent.ConcurrentHashMap<>();
    private static final Model NONE = Model.of("", null, null);
    private static final int MAX_FOUND = 10_000;
    /** operator prices by model-name prefix (lower case): price key (input_mtok, ...) to USD per million */
    private final Map<String, Map<String, Double>> overrides;

    /**
     * @param table     the generated price table (genai-prices.json)
     * @param overrides per model-name prefix, prices per million tokens by key: input_mtok, output_mtok,
     *                  cache_read_mtok, cache_write_mtok
     */
    public PriceTable(InputStream table, Map<String, Map<String, Double>> overrides) {
        try {
            JsonNode root = JSON.readTree(table);
            root.path("providers").fields().forEachRemaining(p -> {
                List<Model> models = new ArrayList<>();
                p.getValue().path("models").forEach(m -> models.add(Model.of(m.path("id").asText(), m.get("match"),
                        m.get("prices"))));
                List<String> fallback = new ArrayList<>();
                p.getValue().path("fallback").forEach(f -> fallback.add(f.asText()));
                providers.put(p.getKey(), new Provider(List.copyOf(models), List.copyOf(fallback)));
            });
        } catch (IOException e) {
            throw new UncheckedIOException("price table unreadable", e);
        }
        Map<String, Map<String, Double>> lower = new HashMap<>();
        overrides.forEach((prefix, prices) -> lower.put(prefix.toLowerCase(Locale.ROOT), Map.copyOf(prices)));
        this.overrides = Map.copyOf(lower);
    }

    /** The table bundled with the gateway. */
    public static PriceTable bundled(Map<String, Map<String, Double>> overrides) {
        try (InputStream in = PriceTable.class.getResourceAsStream("/prices/genai-prices.json")) {
            return new PriceTable(in, overrides);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The cost of {@code usage} on {@code model} as listed by {@code provider} (anthropic, google, openai) at time
     * {@code at}; null when neither an override nor the table knows the model.
     */
    public Cost cost(String provider, String model, Usage usage, Instant at) {
        if (model == null || model.isBlank()) {
            return null;
        }
        String override = longestOverride(model.toLowerCase(Locale.ROOT));
        if (override != null) {
            return price(override, overrides.get(override), usage);
        }
        String key = provider + '\n' + model;
        Model priced = found.get(key);
        if (priced == null) {
            priced = lookUp(provider, model);
            if (found.size() >= MAX_FOUND) {
                found.clear(); // model names come from clients: bound what they can make us remember
            }
            found.put(key, priced);
        }
        if (priced == NONE) {
            return null;
        }
        Map<String, Double> prices = new HashMap<>();
        pricesAt(priced, at).fields().forEachRemaining(e -> prices.put(e.getKey(), rate(e.getValue(), usage.input())));
        return price(priced.id(), prices, usage);
    }

    /** The table's model for a name, trying the name with its date written the long way too; NONE if none. */
    private Model lookUp(String provider, String model) {
        Model m = find(provider, model);
        if (m == null) {
            String dated = DATE_SUFFIX.matcher(model).replaceAll(d -> validDate(d) ? "-" + d.group(1) + "-" + d.group(2)
                    + "-" + d.group(3) : Matcher.quoteReplacement(d.group()));
            m = dated.equals(model) ? null : find(provider, dated);
        }
        return m == null ? NONE : m;
    }

    private String longestOverride(String model) {
        String best = null;
        for (String prefix : overrides.keySet()) {
            if (model.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        return best;
    }

    private Model find(String providerId, String model) {
        Provider provider = providers.get(providerId);
        if (provider == null) {
            return null;
        }
        for (Model m : provider.models()) {
            if (matches(m.match(), model)) {
                return m;
            }
        }
        for (String fallback : provider.fallback()) {
            Model m = find(fallback, model);
            if (m != null) {
                return m;
            }
        }
        return null;
    }

    private static boolean validDate(java.util.regex.MatchResult m) {
        try {
            LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
            return true;
        } catch (java.time.DateTimeException e) {
            return false;
        }
    }

    /** genai-prices' match logic: and, or, equals, starts_with, ends_with, contains (case-insensitive), regex (search). */
    static boolean matches(JsonNode logic, String name) {
        if (logic == null) {
            return false;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (logic.has("or")) {
            for (JsonNode m : logic.get("or")) {
                if (matches(m, name)) {
                    return true;
                }
            }
            return false;
        }
        if (logic.has("and")) {
            for (JsonNode m : logic.get("and")) {
                if (!matches(m, name)) {
                    return false;
                }
            }
            return true;
        }
        if (logic.has("equals")) {
            return lower.equals(logic.get("equals").asText().toLowerCase(Locale.ROOT));
        }
        if (logic.has("starts_with")) {
            return lower.startsWith(logic.get("starts_with").asText().toLowerCase(Locale.ROOT));
        }
        if (logic.has("ends_with")) {
            return lower.endsWith(logic.get("ends_with").asText().toLowerCase(Locale.ROOT));
        }
        if (logic.has("contains")) {
            return lower.contains(logic.get("contains").asText().toLowerCase(Locale.ROOT));
        }
        return logic.has("regex") && Pattern.compile(logic.get("regex").asText()).matcher(name).find();
    }

    /** The price set in force at {@code at}: the last whose start date passed (or time-of-day window holds). */
    private static JsonNode pricesAt(Model model, Instant at) {
        if (model.sets().isEmpty()) {
            return model.prices();
        }
        for (int i = model.sets().size() - 1; i >= 0; i--) {
            PriceSet set = model.sets().get(i);
            if (set.appliesAt(at)) {
                return set.prices();
            }
        }
        return model.sets().get(0).prices();
    }

    /** One price set of a model and when it applies: always, from a date on, or in a time-of-day window (UTC). */
    private record PriceSet(JsonNode prices, Instant from, LocalTime start, LocalTime end) {

        static PriceSet of(JsonNode set) {
            JsonNode constraint = set.get("constraint");
            if (constraint == null || constraint.isNull()) {
                return new PriceSet(set.get("prices"), null, null, null);
            }
            if (constraint.has("start_date")) {
                return new PriceSet(set.get("prices"), LocalDate.parse(constraint.get("start_date").asText())
                        .atStartOfDay().toInstant(ZoneOffset.UTC), null, null);
            }
            return new PriceSet(set.get("prices"), null,
                    LocalTime.parse(constraint.path("start_time").asText().replace("Z", "")),
                    LocalTime.parse(constraint.path("end_time").asText().replace("Z", "")));
        }

        boolean appliesAt(Instant at) {
            if (from != null) {
                return !at.isBefore(from);
            }
            if (start == null) {
                return true;
            }
            LocalTime now = at.atOffset(ZoneOffset.UTC).toLocalTime();
            return end.isBefore(start) ? !now.isBefore(start) || now.isBefore(end)
                    : !now.isBefore(start) && now.isBefore(end);
        }
    }

    /** A flat rate, or the rate of the highest tier the total input passes. */
    private static double rate(JsonNode price, long totalInput) {
        if (price.isNumber()) {
            return price.asDouble();
        }
        double rate = price.path("base").asDouble();
        for (JsonNode tier : price.path("tiers")) {
            if (totalInput > tier.path("start").asLong()) {
                rate = tier.path("price").asDouble();
            }
        }
        return rate;
    }

    private static Cost price(String model, Map<String, Double> prices, Usage usage) {
        long uncached = usage.input();
        double input = 0;
        if (prices.containsKey("cache_read_mtok")) {
            input += usage.cacheRead() * prices.get("cache_read_mtok");
            uncached -= usage.cacheRead();
        }
        if (prices.containsKey("cache_write_mtok")) {
            input += usage.cacheWrite() * prices.get("cache_write_mtok");
            uncached -= usage.cacheWrite();
        }
        input += Math.max(0, uncached) * prices.getOrDefault("input_mtok", 0.0);
        double output = usage.output() * prices.getOrDefault("output_mtok", 0.0);
        return new Cost(input / 1e6, output / 1e6, model);
    }
}
