package dev.caravan.core;

import java.util.Arrays;
import java.util.List;

/** How the gateway reads a list from one setting (a property or a bean parameter). */
public final class Settings {

    private Settings() {
    }

    /** The items of a comma-separated setting, in order, blanks left out; none for null. */
    public static List<String> csv(String value) {
        return value == null ? List.of() : Arrays.stream(value.split(",")).map(String::strip)
                .filter(s -> !s.isEmpty()).toList();
    }
}
