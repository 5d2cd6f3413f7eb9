package dev.caravan.demo;

import org.apache.camel.main.Main;

import dev.caravan.CaravanMain;
import dev.caravan.Gateway;

/**
 * {@code java -jar target/caravan-demo.jar}: the gateway exactly as {@code caravan.jar} starts it, with
 * {@code config/demo.properties} over {@code config/application.properties} (its settings win) and the demo's
 * servers and keys added by {@link DemoConfiguration}.
 */
public final class DemoMain {

    private DemoMain() {
    }

    public static void main(String[] args) {
        CaravanMain.run(create(), args);
    }

    /** A main configured like the demo jar's; tests use it to start the demo gateway in-process. */
    public static Main create() {
        Main main = Gateway.create();
        // of two locations that set a key, Camel takes the first
        main.setPropertyPlaceholderLocations(System.getProperty("caravan.demo.config", "file:config/demo.properties")
                                             + "," + main.getPropertyPlaceholderLocations());
        main.configure().addConfiguration(DemoConfiguration.class);
        return main;
    }
}
