package dev.caravan.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.spi.PropertiesFunction;

/**
 * Credentials for backends and providers, kept out of route files, logs and errors. A route or property writes
 * {@code {{secret:kb-token}}}; Camel resolves that to a reference ({@code [[secret:kb-token]]}) and the upstream call
 * replaces the reference with the value on every request: the file {@code <dir>/kb-token} (read again every second
 * or so, so a rotated file or an updated Kubernetes secret mount takes effect without a restart) or else the
 * environment variable {@code CARAVAN_SECRET_KB_TOKEN}. Camel's startup summary and any error therefore only ever
 * show the reference.
 */
public final class Secrets implements PropertiesFunction {

    private static final Pattern REFERENCE = Pattern.compile("\\[\\[secret:([A-Za-z0-9._-]+)]]");

    private record Cached(String value, long readAt) {
    }

    private final Path dir;
    private final Map<String, String> env;
    private final long rereadMillis;
    /** each secret's value by name, from its file or else the environment, with when the file was looked for */
    private final Map<String, Cached> files = new ConcurrentHashMap<>();

    /**
     * @param dir          where secret files are (one file per secret, named after it)
     * @param env          the environment to fall back on
     * @param rereadMillis how long a value read from a file is used before the file is read again (rotation)
     */
    public Secrets(Path dir, Map<String, String> env, long rereadMillis) {
        this.dir = dir;
        this.env = env;
        this.rereadMillis = rereadMillis;
    }

    @Override
    public String getName() {
        return "secret";
    }

    /** {@code {{secret:name}}} becomes a reference that only {@link #resolve} turns into the value. */
    @Override
    public String apply(String name) {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("secret names are letters, digits, '.', '_' and '-': " + name);
        }
        return "[[secret:" + name + "]]";
    }

    /** Text with every secret reference replaced by its current value. */
    public String resolve(String text) {
        if (text == null || !text.contains("[[secret:")) {
            return text;
        }
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(value(m.group(1))));
        }
        return m.appendTail(out).toString();
    }

    private String value(String name) {
        long now = System.currentTimeMillis();
        Cached cached = files.get(name);
        if (cached != null && now - cached.readAt() < rereadMillis) {
            return cached.value();
        }
        String value;
        try {
            value = Files.readString(dir.resolve(name), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            value = env.get("CARAVAN_SECRET_" + name.toUpperCase(Locale.ROOT).replaceAll("[.-]", "_"));
            if (value == null) {
                files.remove(name);
                throw new IllegalStateException("secret " + name + " is neither in " + dir + " nor in the environment");
            }
        }
        // a value from the environment is kept as long: the disk is looked at once per interval, not per request
        files.put(name, new Cached(value, now));
        return value;
    }
}
