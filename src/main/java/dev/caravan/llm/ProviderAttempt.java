package dev.caravan.llm;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import io.vertx.core.http.HttpServerResponse;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.caravan.core.ClientRequest;
import dev.caravan.core.ReplyBody;
import dev.caravan.proxy.Upstream;
import dev.caravan.proxy.UpstreamCall;
import dev.caravan.proxy.UpstreamException;
import dev.caravan.proxy.UpstreamRequest;
import dev.caravan.telemetry.GatewayMetrics;

/**
 * The calls to one provider for one request, while nothing has reached the client yet: connection errors, timeouts,
 * 429 and 5xx answers are retried with backoff (honouring {@code Retry-After}), then the provider's fallback takes
 * over; a started stream is never replayed. The provider's circuit breaker admits each call and hears its outcome.
 * When nothing is left to try, the provider's own error answer goes to the client as it is, or, when there was none,
 * an error in the API's format.
 */
final class ProviderAttempt {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderAttempt.class);
    private static final long MAX_RETRY_AFTER_MS = 10_000;
    /** a streaming provider sends its head at once, before generating: silence this long means it hangs */
    private static final long STREAM_FIRST_BYTE_TIMEOUT_MS = 30_000;

    private final LlmProvider owner;
    private final Exchange exchange;
    private final AsyncCallback callback;
    private final LlmRequest request;
    private final String provider;
    private final CircuitBreaker breaker;
    private final Set<String> tried;
    private final String model;
    private final Upstream target;
    private final String path;
    private final byte[] body;
    private final boolean hideUsage;
    private final long firstByteMillis;
    private final long deadline;
    private int retriesLeft;
    private int retried;
    /** whether the current call is the trial of a half-open circuit: its end must settle the breaker */
    private boolean trial;

    ProviderAttempt(LlmProvider owner, Exchange exchange, AsyncCallback callback, LlmRequest request) {
        this.owner = owner;
        this.exchange = exchange;
        this.callback = callback;
        this.request = request;
        this.provider = owner.name();
        this.target = owner.upstream();
        this.breaker = owner.breaker();
        this.tried = request.tried();
        this.retriesLeft = owner.retries();
        this.model = owner.model() == null ? request.model() : owner.model();
        this.hideUsage = request.api().asksForUsage(request);
        this.path = request.api().providerPath(owner, request, model);
        this.body = request.api().providerBody(request, model, hideUsage);
        this.firstByteMillis = !owner.firstByteTimeoutSet() && request.stream() ? STREAM_FIRST_BYTE_TIMEOUT_MS : 0;
        this.deadline = request.deadline();
    }

    /** Whether the breaker lets the next call through (as its trial, maybe). */
    boolean admitted() {
        CircuitBreaker.Pass pass = breaker.admit(deadline);
        trial = pass == CircuitBreaker.Pass.TRIAL;
        return pass != CircuitBreaker.Pass.REFUSED;
    }

    void send() {
        owner.credential().headers().onComplete(credential -> {
            HttpServerResponse client = UpstreamCall.clientResponse(exchange);
            if (client != null && client.closed()) {
                // gone while the call waited (a retry's backoff, a credential): nobody to call for
                settleWithoutVerdict();
                exchange.setException(new UpstreamException(provider, UpstreamException.Kind.CLIENT_GONE,
                        "client disconnected"));
                callback.done(false);
                return;
            }
            if (System.currentTimeMillis() >= deadline) {
                settleWithoutVerdict(); // the request's time ran out, not the provider
                giveUp(504, provider + ": the request took longer than allowed");
                return;
            }
            if (credential.failed()) {
                failed("credential");
                breaker.failure();
                giveUp(502, provider + ": no credential for the provider (" + credential.cause().getMessage() + ")");
                return;
            }
            exchange.getMessage().getHeaders().clear();
            request.modelSent(model);
            LlmRelay relay = new LlmRelay(request.api(), hideUsage);
            UpstreamRequest call = new UpstreamRequest(target).method(ClientRequest.method(exchange)).path(path)
                    .body(body).callHeaders(credential.result()).deadline(request.deadline())
                    .firstByteMillis(firstByteMillis).relay(relay);
            call.headers().addAll(request.clientHeaders());
            if (owner.providers().traces().on()) {
                String operation = request.api().operation();
                Map<String, Object> attributes = LlmUsageRecorder.operationAttributes(request.api(),
                        owner.api(), model, provider);
                attributes.put("caravan.attempt", retried + 1);
                call.span(model == null ? operation : operation + " " + model, attributes);
            }
            request.call(call);
            owner.providers().upstreamCall().send(exchange, call, sync -> answered(call));
        });
    }

    private void answered(UpstreamRequest call) {
        Exception error = exchange.getException();
        if (call.relayed()) {
            // it reached the client; a stream that broke off half-way is not replayed
            UpstreamException broke = call.relayError();
            if (broke != null && broke.kind() != UpstreamException.Kind.CLIENT_GONE) {
                breaker.failure();
            } else {
                breaker.success();
            }
            callback.done(false);
            return;
        }
        if (error instanceof UpstreamException u) {
            switch (u.kind()) {
                case CLIENT_GONE -> {
                    settleWithoutVerdict();
                    callback.done(false);
                }
                case REQUEST -> {
                    // the client's request cannot be sent as it is: no fault of the provider, nothing to retry
                    settleWithoutVerdict();
                    exchange.setException(new LlmException(400, u.getMessage()));
                    callback.done(false);
                }
                case CONFIG, TOO_LARGE -> {
                    settleWithoutVerdict();
                    exchange.setException(null);
                    giveUp(502, u.kind() == UpstreamException.Kind.CONFIG
                            ? provider + ": provider is not configured correctly" : u.getMessage());
                }
                default -> {
                    failed(u.kind().name().toLowerCase(Locale.ROOT));
                    breaker.failure();
                    exchange.setException(null);
                    boolean slow = u.kind() == UpstreamException.Kind.TIMEOUT
                                   || u.kind() == UpstreamException.Kind.IDLE;
                    if (slow && hasFallback()) {
                        // the wait already cost what a retry would: the fallback is the likelier answer
                        giveUp(504, u.getMessage());
                    } else {
                        retryOrGiveUp(slow ? 504 : 502, u.getMessage(), -1);
                    }
                }
            }
            return;
        }
        if (error != null) {
            settleWithoutVerdict();
            callback.done(false);
            return;
        }
        Message answer = exchange.getMessage();
        int status = answer.getHeader(Exchange.HTTP_RESPONSE_CODE, 502, Integer.class);
        failed("status_" + status);
        if (status >= 500) {
            breaker.failure();
        } else {
            settleWithoutVerdict(); // rate limited: up, but busy
        }
        retryOrGiveUp(status, provider + " answered " + status, retryAfterMillis(answer));
    }

    /** A call that says nothing about the provider's health frees the trial it was, if it was one. */
    private void settleWithoutVerdict() {
        if (trial) {
            breaker.trialAbandoned();
            trial = false;
        }
    }

    private boolean hasFallback() {
        String fallback = owner.fallback();
        return fallback != null && !tried.contains(fallback) && System.currentTimeMillis() < deadline;
    }

    private void failed(String reason) {
        GatewayMetrics.of(exchange.getContext()).providerFailure(provider, reason);
    }

    private void retryOrGiveUp(int status, String why, long retryAfter) {
        if (retriesLeft > 0 && retryAfter <= MAX_RETRY_AFTER_MS
            && System.currentTimeMillis() + Math.max(retryAfter, 0) < deadline && admitted()) {
            retriesLeft--;
            long delay = retryAfter >= 0 ? retryAfter
                    : (100L << Math.min(retried, 6)) + ThreadLocalRandom.current().nextLong(50);
            retried++;
            LOG.debug("{}: {}; retry {} in {} ms", provider, why, retried, delay);
            owner.providers().vertx().setTimer(Math.max(1, delay), t -> send());
            return;
        }
        giveUp(status, why);
    }

    /** Nothing more to try here: the fallback takes over, or the client gets the provider's answer or an error. */
    void giveUp(int status, String why) {
        if (hasFallback()) {
            String fallback = owner.fallback();
            LOG.info("{} failed ({}); {} takes over", provider, why, fallback);
            exchange.getMessage().getHeaders().clear();
            exchange.getMessage().setBody(request.body());
            exchange.setProperty(LlmProvider.FAILOVER, fallback);
        } else if (exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE) != null) {
            // the provider's own error answer, in its own format (its headers as captured, e.g. Retry-After)
            LOG.warn("{} failed: {}", provider, why);
            request.error(why);
            Object captured = exchange.getMessage().getBody();
            if (captured instanceof byte[] bytes) {
                exchange.getMessage().setBody(ReplyBody.of(bytes));
            }
        } else {
            LOG.warn("{} failed: {}", provider, why);
            exchange.setException(new LlmException(status, why));
        }
        callback.done(false);
    }

    private static long retryAfterMillis(Message answer) {
        String value = answer.getHeader("retry-after", String.class);
        if (value == null) {
            return -1;
        }
        try {
            return (long) (Double.parseDouble(value.strip()) * 1000);
        } catch (NumberFormatException e) {
            return MAX_RETRY_AFTER_MS + 1; // an HTTP date: too far ahead to wait for here
        }
    }
}
