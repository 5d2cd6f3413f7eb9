package dev.caravan.support;

import java.util.concurrent.Callable;
import java.util.function.Function;

/** Test servers a gateway under test is configured with, started before its Camel context starts. */
public final class TestBackends {

    private TestBackends() {
    }

    /**
     * Starts a server and hands its URL to the gateway's route files as the system property {@code property} (route
     * files read it as a placeholder, e.g. {@code {{test.scripted.url}}}).
     */
    public static <T> T start(String property, Callable<T> server, Function<T, String> url) {
        try {
            T started = server.call();
            System.setProperty(property, url.apply(started));
            return started;
        } catch (Exception e) {
            throw new IllegalStateException("test backend for " + property + " did not start", e);
        }
    }
}
