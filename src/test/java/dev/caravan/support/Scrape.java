package dev.caravan.support;

import java.net.URI;
import java.net.http.HttpRequest;

/** The gateway's metrics as Prometheus scrapes them from the management port, with sums over matching series. */
public final class Scrape {

    private final String text;

    private Scrape(String text) {
        this.text = text;
    }

    public static Scrape of(int managementPort) {
        return new Scrape(Http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + managementPort + "/observe/metrics")).build()).body());
    }

    /**
     * Waits (up to 10 s) until {@link #sum} of a metric is {@code expected}: the gateway records a request after it
     * answered it, so a client that has its answer may be a moment ahead of the metrics.
     */
    public static void await(int managementPort, double expected, String name, String... labels)
            throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        double value;
        while ((value = of(managementPort).sum(name, labels)) != expected) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError(name + " " + String.join(",", labels) + " is " + value + ", expected "
                                         + expected);
            }
            Thread.sleep(20);
        }
    }

    /** The sum of every series of {@code name} that has all these {@code label="value"} pairs (0 when none). */
    public double sum(String name, String... labels) {
        double sum = 0;
        for (String line : text.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            boolean all = true;
            for (int i = 0; i < labels.length; i += 2) {
                all &= line.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
            }
            if (all) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    public String text() {
        return text;
    }
}
