package dev.caravan;

import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the gateway from the working directory: {@code config/application.properties}, the route files in
 * {@code routes/} and the kamelets in {@code kamelets/} (all paths can be changed in the properties). With the argument
 * {@code validate} it checks that configuration instead and exits (see {@link ConfigCheck}).
 */
public final class CaravanMain {

    private static final Logger LOG = LoggerFactory.getLogger(CaravanMain.class);

    private CaravanMain() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("validate")) {
            System.exit(ConfigCheck.run(System.out));
        }
        run(Gateway.create(), args);
    }

    /** Runs a main made by {@link Gateway#create()} until it stops; a start that fails ends the process with 1. */
    public static void run(Main main, String[] args) {
        try {
            main.run(args);
        } catch (Exception | LinkageError e) {
            // Almost always configuration the operator must fix: say what and where, keep the trace for debugging.
            LOG.error("Caravan did not start: {}", Gateway.causes(e));
            LOG.debug("Startup failure", e);
            System.exit(1);
        }
        if (main.getExitCode() != 0) {
            System.exit(main.getExitCode());
        }
    }
}
