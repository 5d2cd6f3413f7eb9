package dev.caravan.camel;

import dev.caravan.core.StartupFailure;

/**
 * Every class of this package works around, or reaches into, internals of one Camel release line: the platform-http
 * consumer's reply writer and worker hand-off, camel-main's HTTP server factory, the routes loader's reload of
 * templated routes, the order in which Camel stops Vert.x, a busy port that only logs a warning. One more internal is
 * relied on by routes/gateway.camel.yaml: a listener's {@code onCompletion} in mode BeforeConsumer runs before the
 * tracing route policy ends the listener's span (route advices run their after-steps in reverse order), so the
 * recorders can tag that span (TracingTest fails if that changes). They were written and
 * tested against Camel {@value #WRITTEN_FOR}x; on another line each must be checked again (is the workaround still
 * needed, does the internal it uses still exist), so the gateway refuses to start there rather than fail in traffic.
 */
public final class CamelVersionCheck {

    /** the release line the workarounds were written for */
    static final String WRITTEN_FOR = "4.18.";

    private CamelVersionCheck() {
    }

    /** Fails the start unless {@code running} (CamelContext#getVersion) is of the line the workarounds know. */
    public static void check(String running) {
        if (running == null || !running.startsWith(WRITTEN_FOR)) {
            throw new StartupFailure("Camel " + running + " runs this gateway, whose Camel workarounds (package "
                                     + CamelVersionCheck.class.getPackageName() + ") were written for Camel "
                                     + WRITTEN_FOR + "x: check each of them against this release, then update "
                                     + "CamelVersionCheck.WRITTEN_FOR");
        }
    }
}
