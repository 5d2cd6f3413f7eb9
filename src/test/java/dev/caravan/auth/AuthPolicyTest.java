package dev.caravan.auth;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/** An auth check as a {@code policy} step: the steps inside run only for what it lets through. */
class AuthPolicyTest {

    private final List<String> ran = new CopyOnWriteArrayList<>();
    private CamelContext camel;
    private ProducerTemplate client;

    /** A check that decides later, on another thread, as a token check waiting for its keys does. */
    private static final class LateCheck extends AuthPolicy {
        @Override
        public boolean process(Exchange exchange, AsyncCallback callback) {
            CompletableFuture.runAsync(() -> {
                if (!"yes".equals(exchange.getIn().getBody(String.class))) {
                    exchange.setException(new AuthFailure(401, "late", "Unauthorized: late check", null));
                }
                callback.done(false);
            });
            return false;
        }
    }

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        AccessRule anonymousOnly = new AccessRule();
        anonymousOnly.setRule("jwt.sub == null");
        AccessRule tokensOnly = new AccessRule();
        tokensOnly.setRule("jwt.sub != null");
        camel.getRegistry().bind("anonymousOnly", anonymousOnly);
        camel.getRegistry().bind("tokensOnly", tokensOnly);
        camel.getRegistry().bind("late", new LateCheck());
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:open").policy("anonymousOnly").process(e -> ran.add("open"));
                from("direct:closed").policy("tokensOnly").process(e -> ran.add("closed"));
                from("direct:late").policy("late").process(e -> ran.add("late")).end().process(e -> ran.add("after"));
            }
        });
        camel.start();
        client = camel.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    @Test
    void aRequestTheRuleAllowsRunsTheStepsInside() {
        Exchange done = client.send("direct:open", e -> e.getIn().setBody("x"));
        assertNull(done.getException());
        assertEquals(List.of("open"), ran);
    }

    @Test
    void aRefusedRequestLeavesWith403AndRunsNothingInside() {
        Exchange done = client.send("direct:closed", e -> e.getIn().setBody("x"));
        assertEquals(403, assertInstanceOf(AuthFailure.class, done.getException()).status());
        assertEquals(List.of(), ran);
    }

    @Test
    void aCheckThatDecidesLaterStillGuardsTheSteps() {
        Exchange allowed = client.send("direct:late", e -> e.getIn().setBody("yes"));
        assertNull(allowed.getException());
        assertEquals(List.of("late", "after"), ran);
        ran.clear();
        Exchange refused = client.send("direct:late", e -> e.getIn().setBody("no"));
        assertEquals(401, assertInstanceOf(AuthFailure.class, refused.getException()).status());
        assertEquals(List.of(), ran);
    }
}
