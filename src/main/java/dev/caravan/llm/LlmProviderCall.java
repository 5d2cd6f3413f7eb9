package dev.caravan.llm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.AsyncProcessorSupport;
import org.apache.camel.util.TimeUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.caravan.core.ClientRequest;
import dev.caravan.proxy.UpstreamCall;
import dev.caravan.proxy.UpstreamException;
import dev.caravan.telemetry.GatewayMetrics;
import dev.caravan.telemetry.Traces;
import dev.caravan.core.ReplyBody;

/**
 * Sends an LLM request to the provider whose route runs it (kamelets/llm-provider.kamelet.yaml), through the
 * gateway's one upstream call, and keeps trying while nothing has reached the client yet: connection errors,
 * timeouts, 429 and 5xx answers are retried with backoff (honouring {@code Retry-After}), then the provider's
 * {@code fallback} takes over; a started stream is never replayed. A circuit breaker per provider skips a provider
 * that keeps failing. When nothing is left to try, the provider's own error answer goes to the client as it is, or,
 * when there was none, an error in the API's format.
 * <p>
 * Per provider it rewrites what the provider needs: a Vertex AI path with the provider's project, region and model,
 * the {@code model} of a body (aliases, a fallback's model), {@code stream_options.include_usage} for an OpenAI
 * stream, and the credential (configured headers, or a Google access token).
 */
public final class LlmProviderCall extends AsyncProcessorSupport {

    private static final Logger LOG = LoggerFactory.getLogger(LlmProviderCall.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    // set by the llm-provider kamelet for the provider that runs the request
    public static final String NAME = "caravan.llm.provider";
    public static final String KIND = "caravan.llm.kind";
    public static final String URL = "caravan.llm.url";
    public static final String PROJECT = "caravan.llm.project";
    public static final String REGION = "caravan.llm.region";
    public static final String AUTH = "caravan.llm.auth";
    public static final String KEY_FILE = "caravan.llm.service-account-file";
    public static final String MODEL = "caravan.llm.model";
    public static final String RETRIES = "caravan.llm.retries";
    public static final String FALLBACK = "caravan.llm.fallback";
    public static final String BREAKER_FAILURES = "caravan.llm.breaker-failures";
    public static final String BREAKER_OPEN_FOR = "caravan.llm.breaker-open-for";
    /** the longest to wait for the answer's head; unset: 30 s for a stream, the call timeout for a whole answer */
    public static final String FIRST_BYTE_TIMEOUT = "caravan.llm.first-byte-timeout";
    /** set when this provider gave up and its fallback should answer: the fallback's route */
    public static final String FAILOVER = "llmFailover";
    private static final String TRIED = "llmTried";
    private static final long MAX_RETRY_AFTER_MS = 10_000;
    /** a streaming provider sends its head at once, before generating: silence this long means it hangs */
    private static final String STREAM_FIRST_BYTE_TIMEOUT = "30s";

    private final AsyncProcessor upstream;
    private final GoogleAccessTokens google;
    private final Vertx vertx;
    private final Traces traces;
    private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();

    public LlmProviderCall(AsyncProcessor upstream, GoogleAccessTokens google, Vertx vertx, Traces traces) {
        this.upstream = upstream;
        this.google = google;
        this.vertx = vertx;
        this.traces = traces;
    }

    /** The circuit state of a provider, for tests and health: CLOSED, OPEN or HALF_OPEN (CLOSED when unused). */
    public String circuit(String provider) {
        CircuitBreaker breaker = breakers.get(provider);
        return breaker == null ? CircuitBreaker.State.CLOSED.name() : breaker.state().name();
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean process(Exchange exchange, AsyncCallback callback) {
        LlmRequest request = exchange.getProperty(LlmRequest.PROPERTY, LlmRequest.class);
        String name = exchange.getProperty(NAME, String.class);
        exchange.removeProperty(FAILOVER);
        exchange.setProperty(LlmExchange.PROVIDER, name);
        Set<String> tried = exchange.getProperty(TRIED, Set.class);
        if (tried == null) {
            tried = new LinkedHashSet<>();
            exchange.setProperty(TRIED, tried);
        }
        tried.add(name);
        String kind = exchange.getProperty(KIND, String.class);
        if (!request.api().family().equals(kind)) {
            exchange.setException(new LlmException(500, "Provider " + name + " serves the " + kind
                                                         + " API, not this request's (" + request.api().family() + ")"));
            callback.done(true);
            return true;
        }
        CircuitBreaker breaker = breaker(name, exchange.getProperty(BREAKER_FAILURES, 5, Integer.class),
                TimeUtils.toMilliSeconds(exchange.getProperty(BREAKER_OPEN_FOR, "30s", String.class)));
        Attempt attempt = new Attempt(exchange, callback, request, name, breaker, tried);
        if (!attempt.admitted()) {
            GatewayMetrics.of(exchange.getContext()).providerFailure(name, "circuit_open");
            attempt.giveUp(503, name + " is unavailable: it failed repeatedly and is skipped for now");
            return false; // giveUp called back as an asynchronous step does
        }
        attempt.send();
        return false;
    }

    /** The provider's breaker; a new one when its settings changed (a hot-reloaded route), which starts closed. */
    CircuitBreaker breaker(String name, int threshold, long openMillis) {
        CircuitBreaker breaker = breakers.get(name);
        if (breaker != null && breaker.configuredAs(threshold, openMillis)) {
            return breaker;
        }
        return breakers.compute(name, (n, old) -> old != null && old.configuredAs(threshold, openMillis) ? old
                : new CircuitBreaker(threshold, openMillis));
    }

    /** The calls to one provider for one request: the first and its retries. */
    private final class Attempt {
        private final Exchange exchange;
        private final AsyncCallback callback;
        private final LlmRequest request;
        private final String provider;
        private final CircuitBreaker breaker;
        private final Set<String> tried;
        private final String model;
        private final String url;
        private final byte[] body;
        private final boolean hideUsage;
        private final String firstByteTimeout;
        private final long deadline;
        private int retriesLeft;
        private int retried;
        /** whether the current call is the trial of a half-open circuit: its end must settle the breaker */
        private boolean trial;

        Attempt(Exchange exchange, AsyncCallback callback, LlmRequest request, String provider, CircuitBreaker breaker,
                Set<String> tried) {
            this.exchange = exchange;
            this.callback = callback;
            this.request = request;
            this.provider = provider;
            this.breaker = breaker;
            this.tried = tried;
            this.retriesLeft = exchange.getProperty(RETRIES, 2, Integer.class);
            String forced = exchange.getProperty(MODEL, String.class);
            this.model = forced == null || forced.isBlank() ? request.model() : forced;
            this.hideUsage = request.api() == LlmApi.OPENAI_CHAT && request.stream() && !request.clientAskedForUsage();
            this.url = url(exchange, request, model);
            this.body = body(request, model, hideUsage);
            String firstByte = exchange.getProperty(FIRST_BYTE_TIMEOUT, String.class);
            this.firstByteTimeout = firstByte != null && !firstByte.isBlank() ? firstByte
                    : request.stream() ? STREAM_FIRST_BYTE_TIMEOUT : null;
            Long end = exchange.getProperty(UpstreamCall.DEADLINE, Long.class);
            this.deadline = end == null ? Long.MAX_VALUE : end;
        }

        /** Whether the breaker lets the next call through (as its trial, maybe). */
        boolean admitted() {
            CircuitBreaker.Pass pass = breaker.admit(deadline);
            trial = pass == CircuitBreaker.Pass.TRIAL;
            return pass != CircuitBreaker.Pass.REFUSED;
        }

        void send() {
            credentials().onComplete(credential -> {
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
                restoreClientRequest();
                exchange.getMessage().setBody(body);
                exchange.setProperty(UpstreamCall.URL, url);
                exchange.setProperty(UpstreamCall.NAME, provider);
                exchange.setProperty(LlmExchange.MODEL_SENT, model);
                if (traces.on()) {
                    String operation = request.api().operation();
                    exchange.setProperty(UpstreamCall.SPAN_NAME, model == null ? operation : operation + " " + model);
                    Map<String, Object> attributes = LlmUsageRecorder.operationAttributes(request.api(),
                            exchange.getProperty(KIND, "", String.class), model, provider);
                    attributes.put("caravan.attempt", retried + 1);
                    exchange.setProperty(UpstreamCall.SPAN_ATTRIBUTES, attributes);
                }
                exchange.setProperty(UpstreamCall.CALL_HEADERS, credential.result());
                exchange.setProperty(UpstreamCall.FIRST_BYTE_TIMEOUT, firstByteTimeout);
                LlmRelay relay = new LlmRelay(request.api(), hideUsage);
                exchange.setProperty(UpstreamCall.RELAY, relay);
                exchange.setProperty(LlmExchange.RELAY, relay);
                upstream.process(exchange, sync -> answered());
            });
        }

        private Future<Map<String, String>> credentials() {
            if (!"google".equals(exchange.getProperty(AUTH, String.class))) {
                return Future.succeededFuture(Map.of());
            }
            return google.token(exchange.getProperty(KEY_FILE, String.class))
                    .map(token -> Map.of("Authorization", "Bearer " + token));
        }

        private void answered() {
            Integer relayed = exchange.getProperty(UpstreamCall.RELAYED_STATUS, Integer.class);
            Exception error = exchange.getException();
            if (relayed != null) {
                // it reached the client; a stream that broke off half-way is not replayed
                UpstreamException broke = exchange.getProperty(UpstreamCall.RELAY_ERROR, UpstreamException.class);
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
                        failed(u.kind().name().toLowerCase(java.util.Locale.ROOT));
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
            String fallback = exchange.getProperty(FALLBACK, String.class);
            return fallback != null && !fallback.isBlank() && !tried.contains(fallback.strip())
                   && System.currentTimeMillis() < deadline;
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
                vertx.setTimer(Math.max(1, delay), t -> send());
                return;
            }
            giveUp(status, why);
        }

        /** Nothing more to try here: the fallback takes over, or the client gets the provider's answer or an error. */
        void giveUp(int status, String why) {
            if (hasFallback()) {
                String fallback = exchange.getProperty(FALLBACK, String.class);
                LOG.info("{} failed ({}); {} takes over", provider, why, fallback.strip());
                restoreClientRequest();
                exchange.getMessage().setBody(request.body());
                exchange.setProperty(FAILOVER, fallback.strip());
            } else if (exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE) != null) {
                // the provider's own error answer, in its own format (its headers as captured, e.g. Retry-After)
                LOG.warn("{} failed: {}", provider, why);
                exchange.setProperty("llmError", why);
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

        /**
         * The client's request as every attempt and every fallback starts from it: its method and the headers a
         * provider may see (allow-listed by {@link LlmRequestCheck}); nothing else of the client's is forwarded.
         */
        private void restoreClientRequest() {
            Message m = exchange.getMessage();
            m.getHeaders().clear();
            m.setHeader(Exchange.HTTP_METHOD, ClientRequest.method(exchange));
            request.clientHeaders().names().forEach(name -> m.setHeader(name, request.clientHeaders().getAll(name)));
            exchange.setProperty(UpstreamCall.FORWARDED_HEADERS, List.copyOf(request.clientHeaders().names()));
        }
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

    /** The provider's URL for the request: Vertex AI paths get the provider's project, region and model. */
    private static String url(Exchange exchange, LlmRequest request, String model) {
        String base = exchange.getProperty(URL, String.class).replaceAll("/+$", "");
        String query = request.query() == null ? "" : "?" + request.query();
        if (request.api().vertex()) {
            LlmRequest.VertexPath path = request.vertex();
            return base + "/" + path.version() + "/projects/" + exchange.getProperty(PROJECT, String.class) + "/locations/"
                   + exchange.getProperty(REGION, String.class) + "/publishers/" + path.publisher() + "/models/"
                   + segment(path.modelSegment() != null ? path.modelSegment() : model) + ":" + path.action() + query;
        }
        return base + request.path() + query;
    }

    /** A path segment: everything but unreserved characters and '@' (Vertex model versions) percent-encoded. */
    private static String segment(String value) {
        StringBuilder sb = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (Character.isLetterOrDigit(c) && c < 128 || "-._~@".indexOf(c) >= 0) {
                sb.append(c);
            } else {
                sb.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return sb.toString();
    }

    /** The body the provider gets: the client's, with the model replaced and the usage chunk asked for as needed. */
    private static byte[] body(LlmRequest request, String model, boolean askForUsage) {
        boolean modelInBody = !request.api().vertex() || request.vertex().modelSegment() != null;
        boolean newModel = modelInBody && model != null && !model.equals(request.clientModel());
        if (!newModel && !askForUsage) {
            return request.body();
        }
        try {
            ObjectNode json = (ObjectNode) JSON.readTree(request.body());
            if (newModel) {
                json.put("model", model);
            }
            if (askForUsage) {
                ObjectNode options = json.path("stream_options") instanceof ObjectNode o ? o : json.putObject("stream_options");
                options.put("include_usage", true);
            }
            return JSON.writeValueAsBytes(json);
        } catch (IOException | ClassCastException e) {
            throw new LlmException(400, "The request body is not a JSON object");
        }
    }
}
