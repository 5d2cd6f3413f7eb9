package dev.caravan.telemetry;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps a metric label's values few, whatever clients send: only the allowed values, or the first {@code max} distinct
 * ones seen; anything else is {@value #OTHER}, a missing value {@value #NONE}. A hostile client that sends a new model
 * name or product on every request then adds one series, not millions.
 */
public final class LabelCap {

    public static final String OTHER = "other";
    public static final String NONE = "none";
    /** longer values are never kept: they are not names but payloads */
    private static final int MAX_LENGTH = 100;

    private final Set<String> allowed;
    private final int max;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    /** @param allowed the only values kept, or null to keep the first {@code max} distinct ones */
    public LabelCap(Set<String> allowed, int max) {
        this.allowed = allowed == null ? null : Set.copyOf(allowed);
        this.max = max;
    }

    public static LabelCap max(int max) {
        return new LabelCap(null, max);
    }

    /** The value as the label shows it. */
    public String of(String value) {
        if (value == null || value.isEmpty()) {
            return NONE;
        }
        if (allowed != null) {
            return allowed.contains(value) ? value : OTHER;
        }
        if (value.length() > MAX_LENGTH) {
            return OTHER;
        }
        if (seen.contains(value)) {
            return value;
        }
        synchronized (seen) {
            if (seen.size() < max) {
                seen.add(value);
                return value;
            }
        }
        return OTHER;
    }
}
