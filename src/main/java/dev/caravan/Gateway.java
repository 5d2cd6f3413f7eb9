package dev.caravan;

import org.apache.camel.main.Main;

import dev.caravan.camel.StartupChecks;

/**
 * The gateway as a Camel main, configured the way the packaged jar runs it. {@link CaravanMain} runs it, {@link
 * ConfigCheck} loads it without serving, and the demo and tests start it in-process.
 */
public final class Gateway {

    private Gateway() {
    }

    /** The messages of an exception and its causes, most specific last, without repeats. */
    public static String causes(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && !m.isBlank() && sb.indexOf(m) < 0) {
                sb.append(sb.isEmpty() ? "" : " <- ").append(m.strip());
            }
        }
        return sb.isEmpty() ? e.getClass().getName() : sb.toString();
    }

    /** A main configured like the packaged gateway; tests use it to start the real thing in-process. */
    public static Main create() {
        return create(true);
    }

    /** The gateway, listening on its ports when {@code serving}, else only loaded (as validate does). */
    static Main create(boolean serving) {
        Main main = new Main();
        main.setPropertyPlaceholderLocations(
                System.getProperty("caravan.config", "file:config/application.properties"));
        main.configure().addConfiguration(CaravanConfiguration.class);
        if (serving) {
            main.addMainListener(new StartupChecks());
        }
        return main;
    }
}
