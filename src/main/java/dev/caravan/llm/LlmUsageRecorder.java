package dev.caravan.llm;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

import dev.caravan.auth.AuthExchange;
import dev.caravan.proxy.UpstreamCall;
import dev.caravan.proxy.UpstreamException;
import dev.caravan.telemetry.AccessLog;
import dev.caravan.telemetry.GatewayMetrics;

/**
 * The last step of every LLM request, whatever happened (the route's doFinally): the tokens it used and what they
 * cost go to the metrics — per user (the token's email), organization, provider and model, with OpenTelemetry GenAI
 * names — and one line to the access log. A stream the client left half-way is recorded with what it counted so far.
 */
public final class LlmUsageRecorder implements Processor {

    private final GatewayMetrics metrics;
    private final PriceTable prices;

    public LlmUsageRecorder(GatewayMetrics metrics, PriceTable prices) {
        this.metrics = metrics;
        this.prices = prices;
    }

    @Override
    public void process(Exchange exchange) {
        LlmRequest request = exchange.getProperty(LlmRequest.PROPERTY, LlmRequest.class);
        LlmRelay relay = exchange.getProperty(LlmExchange.RELAY, LlmRelay.class);
        Usage usage = relay == null ? Usage.NONE : relay.usage();
        String provider = exchange.getProperty(LlmExchange.PROVIDER, "none", String.class);
        String kind = exchange.getProperty(LlmProviderCall.KIND, "", String.class);
        String model = exchange.getProperty(LlmExchange.MODEL_SENT, request == null ? null : request.model(),
                String.class);
        model = model == null ? "unknown" : model;
        String user = AuthExchange.caller(exchange);
        String org = exchange.getProperty("llmOrg", "none", String.class);
        int status = relay != null && relay.status() > 0 ? relay.status()
                : exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class);
        long started = exchange.getProperty(LlmExchange.STARTED, System.nanoTime(), Long.class);
        long now = System.nanoTime();
        PriceTable.Cost cost = usage.any() ? prices.cost(priceList(kind), model, usage, Instant.now()) : null;

        Meters m = meters(kind, provider, model, org, user);
        MeterRegistry r = m.registry();
        if (usage.any()) {
            m.tokens("input").record(usage.input());
            m.tokens("output").record(usage.output());
            m.tokens("cache_read").record(usage.cacheRead());
            m.tokens("cache_write").record(usage.cacheWrite());
            if (cost != null) {
                m.<Counter>meter("cost", () -> r.counter("caravan.llm.cost.usd", m.who())).increment(cost.total());
            } else {
                m.<Counter>meter("unknown", () -> r.counter("caravan.llm.cost.unknown", m.operation())).increment();
            }
            if (!usage.complete()) {
                m.<Counter>meter("incomplete", () -> r.counter("caravan.llm.usage.incomplete", "caravan.provider",
                        provider)).increment();
            }
        }
        String code = String.valueOf(status);
        m.<Counter>meter("requests " + code, () -> r.counter("caravan.llm.requests",
                m.who().and("http.response.status_code", code))).increment();
        m.<Timer>meter("duration " + code, () -> r.timer("gen_ai.client.operation.duration",
                m.operation().and("http.response.status_code", code))).record(now - started, TimeUnit.NANOSECONDS);
        if (relay != null && relay.firstChunkNanos() > 0) {
            m.<Timer>meter("ttft", () -> r.timer("gen_ai.server.time_to_first_token", m.operation()))
                    .record(relay.firstChunkNanos() - started, TimeUnit.NANOSECONDS);
        }

        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("kind", "llm");
        if (exchange.getIn() instanceof HttpMessage http) {
            line.put("method", http.getRequest().method().name());
            line.put("path", http.getRequest().path());
        }
        LlmApi api = exchange.getProperty(LlmExchange.API, LlmApi.class);
        line.put("api", api == null ? null : api.name().toLowerCase(java.util.Locale.ROOT));
        line.put("provider", provider);
        line.put("model", model);
        line.put("client_model", request == null ? null : request.clientModel());
        line.put("org", org);
        line.put("user", user);
        line.put("status", status);
        line.put("duration_ms", (now - started) / 1_000_000.0);
        line.put("ttft_ms", relay == null || relay.firstChunkNanos() == 0 ? null
                : (relay.firstChunkNanos() - started) / 1_000_000.0);
        line.put("stream", request != null && request.stream());
        line.put("input_tokens", usage.input());
        line.put("cache_read_tokens", usage.cacheRead());
        line.put("cache_write_tokens", usage.cacheWrite());
        line.put("output_tokens", usage.output());
        line.put("usage_complete", usage.complete());
        line.put("cost_usd", cost == null ? null : cost.total());
        line.put("bytes_out", relay == null ? 0 : relay.bytes());
        UpstreamException broke = exchange.getProperty(UpstreamCall.RELAY_ERROR, UpstreamException.class);
        // a client that hangs up once it has the last event (OpenAI's SDK does) did nothing wrong
        boolean leftAtTheEnd = broke != null && broke.kind() == UpstreamException.Kind.CLIENT_GONE && usage.complete();
        line.put("error", broke != null && !leftAtTheEnd ? broke.getMessage()
                : exchange.getProperty("llmError", String.class));
        AccessLog.write(line);
    }

    /**
     * The meters of one caller, provider and model, each registered when first used. Looking them up in the registry
     * on every request (tags sorted, ids built) cost more than the rest of the recording, so they are kept here.
     */
    private record Meters(MeterRegistry registry, Tags who, Tags operation, Map<String, Object> byName) {

        DistributionSummary tokens(String type) {
            return meter("tokens " + type, () -> registry.summary("gen_ai.client.token.usage",
                    who.and("gen_ai.token.type", type)));
        }

        /** The meter kept under {@code key}, registered by {@code create} the first time. */
        @SuppressWarnings("unchecked")
        <T> T meter(String key, Supplier<T> create) {
            return (T) byName.computeIfAbsent(key, k -> create.get());
        }
    }

    private static final int MAX_CACHED = 10_000;
    private final Map<String, Meters> cached = new ConcurrentHashMap<>();

    private Meters meters(String kind, String provider, String model, String org, String user) {
        String key = kind + '\n' + provider + '\n' + model + '\n' + org + '\n' + user;
        Meters m = cached.get(key);
        if (m == null) {
            if (cached.size() >= MAX_CACHED) {
                cached.clear(); // the meters stay registered; only the shortcut to them goes
            }
            Tags operation = Tags.of("gen_ai.provider.name", otelProvider(kind), "gen_ai.request.model", model,
                    "caravan.provider", provider);
            m = new Meters(metrics.registry(), operation.and("caravan.org", org, "caravan.user", user), operation,
                    new ConcurrentHashMap<>());
            cached.put(key, m);
        }
        return m;
    }

    /** The price list of a provider kind: Vertex AI prices Anthropic and Gemini models as Google lists them. */
    private static String priceList(String kind) {
        return "vertex".equals(kind) ? "google" : kind;
    }

    /** gen_ai.provider.name as OpenTelemetry's GenAI conventions spell it. */
    private static String otelProvider(String kind) {
        return switch (kind) {
            case "vertex" -> "gcp.vertex_ai";
            case "anthropic" -> "anthropic";
            case "openai" -> "openai";
            default -> "none";
        };
    }
}
