package dev.caravan.telemetry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Meters kept per combination of label values, each registered when first used. Looking meters up in the registry on
 * every request (tags sorted, ids built) cost more than the rest of the recording (measured on the LLM path), so the
 * recorders keep them here. Bounded: past {@value #MAX_KEYS} combinations the shortcuts are dropped (the meters stay
 * registered).
 */
public final class MeterCache {

    private static final int MAX_KEYS = 10_000;

    /** The meters of one combination of label values. */
    public static final class Meters {
        private final Map<String, Object> byName = new ConcurrentHashMap<>();

        /** The meter kept under {@code name}, registered by {@code create} the first time. */
        @SuppressWarnings("unchecked")
        public <T> T meter(String name, Supplier<T> create) {
            Object m = byName.get(name);
            return (T) (m != null ? m : byName.computeIfAbsent(name, k -> create.get()));
        }
    }

    private final Map<String, Meters> cached = new ConcurrentHashMap<>();

    /** The meters of one combination, its label values joined into {@code key}. */
    public Meters of(String key) {
        Meters m = cached.get(key);
        if (m == null) {
            if (cached.size() >= MAX_KEYS) {
                cached.clear();
            }
            m = cached.computeIfAbsent(key, k -> new Meters());
        }
        return m;
    }
}
