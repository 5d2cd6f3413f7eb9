package dev.caravan.llm;

import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.Exchange;

import dev.caravan.proxy.UpstreamException;
import dev.caravan.telemetry.AccessLog;
import dev.caravan.telemetry.FieldLabels;
import dev.caravan.telemetry.GatewayMetrics;
import dev.caravan.telemetry.LabelCap;
import dev.caravan.telemetry.MeterCache;
import dev.caravan.telemetry.RequestRecorder;
import dev.caravan.telemetry.Traces;

/**
 * What every LLM request leaves behind, recorded by the route's first ({@link #begin}) and last steps (the listener's
 * onCompletion, whatever happened): the tokens it used and what they cost — per user (the token's email),
 * organization, provider and model, with OpenTelemetry GenAI names, plus the fields of {@code llmFields} (route files)
 * — its duration and time to first token, and one access log line. All of it is read from the request's context and
 * the reply. A stream the client left half-way is recorded with what it counted so far. Model and organization come
 * from clients, so their labels are capped.
 */
public final class LlmUsageRecorder extends RequestRecorder<LlmRequest> {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PriceTable prices;
    private final Traces traces;
    private final FieldLabels fields = new FieldLabels("llmFields");
    private final LabelCap models = LabelCap.max(200);
    private final LabelCap orgs = LabelCap.max(100);
    private final MeterCache cache = new MeterCache();

    public LlmUsageRecorder(GatewayMetrics metrics, PriceTable prices, Traces traces) {
        super(metrics, "llm", LlmRequest.class);
        this.prices = prices;
        this.traces = traces;
    }

    @Override
    protected LlmRequest arrive(long nanos) {
        return new LlmRequest(nanos);
    }

    @Override
    protected void record(Exchange exchange, LlmRequest request, long nanos) {
        LlmRelay relay = request.relay();
        Usage usage = relay == null ? Usage.NONE : relay.usage();
        String provider = request.providerName() == null ? LabelCap.NONE : request.providerName();
        String kind = request.provider() == null ? "" : request.provider().api();
        String sent = request.modelSent();
        String model = sent == null ? "unknown" : sent;
        String user = request.caller().who();
        String org = request.org();
        int status = relay != null && relay.status() > 0 ? relay.status()
                : exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class);
        long started = request.startedNanos();
        long now = started + nanos;
        PriceTable.Cost cost = usage.any() ? prices.cost(priceList(kind), model, usage, Instant.now()) : null;
        Map<String, String> extra = fields.values(exchange, () -> body(request));

        String modelLabel = models.of(model);
        String orgLabel = orgs.of(org);
        String code = String.valueOf(status);
        MeterRegistry r = metrics.registry();
        // tags are only built when a meter is registered: the cache has the meters of every combination seen
        Supplier<Tags> operation = () -> Tags.of("gen_ai.provider.name", otelProvider(kind), "gen_ai.request.model",
                modelLabel, "caravan.provider", provider);
        Supplier<Tags> who = () -> operation.get().and("caravan.org", orgLabel, "caravan.user", user)
                .and(fields.tags(extra));
        MeterCache.Meters m = cache.of(kind + '\n' + provider + '\n' + modelLabel + '\n' + orgLabel + '\n' + user
                                       + '\n' + code + '\n' + extra.values());
        if (usage.any()) {
            tokens(m, r, who, "input").record(usage.input());
            tokens(m, r, who, "output").record(usage.output());
            // cache tokens only when there were some: most answers have none, and each record costs
            if (usage.cacheRead() > 0) {
                tokens(m, r, who, "cache_read").record(usage.cacheRead());
            }
            if (usage.cacheWrite() > 0) {
                tokens(m, r, who, "cache_write").record(usage.cacheWrite());
            }
            if (cost != null) {
                m.<Counter>meter("cost", () -> r.counter("caravan.llm.cost.usd", who.get())).increment(cost.total());
            } else {
                m.<Counter>meter("unknown", () -> r.counter("caravan.llm.cost.unknown", operation.get())).increment();
            }
        }
        // a successful answer cut before its final count, whether or not some tokens were counted before the cut
        if (relay != null && relay.counts() && !usage.complete()) {
            m.<Counter>meter("incomplete", () -> r.counter("caravan.llm.usage.incomplete", "caravan.provider",
                    provider)).increment();
        }
        m.<Counter>meter("requests", () -> r.counter("caravan.llm.requests",
                who.get().and("http.response.status_code", code))).increment();
        m.<Timer>meter("duration", () -> latency("gen_ai.client.operation.duration",
                operation.get().and("http.response.status_code", code), r)).record(now - started, TimeUnit.NANOSECONDS);
        if (relay != null && relay.firstChunkNanos() > 0) {
            m.<Timer>meter("ttft", () -> latency("gen_ai.server.time_to_first_token", operation.get(), r))
                    .record(relay.firstChunkNanos() - started, TimeUnit.NANOSECONDS);
        }

        Map<String, Object> line = AccessLog.start("llm", exchange);
        WireApi api = request.api();
        line.put("api", api == null ? null : api.id());
        line.put("provider", provider);
        line.put("model", model);
        line.put("client_model", request.clientModel());
        line.put("org", org == null ? LabelCap.NONE : org);
        line.put("user", user);
        line.put("status", status);
        line.put("duration_ms", (now - started) / 1_000_000.0);
        line.put("ttft_ms", relay == null || relay.firstChunkNanos() == 0 ? null
                : (relay.firstChunkNanos() - started) / 1_000_000.0);
        line.put("stream", request.stream());
        line.put("input_tokens", usage.input());
        line.put("cache_read_tokens", usage.cacheRead());
        line.put("cache_write_tokens", usage.cacheWrite());
        line.put("output_tokens", usage.output());
        line.put("usage_complete", usage.complete());
        line.put("cost_usd", cost == null ? null : cost.total());
        line.putAll(extra);
        String body = AccessLog.body(request.body());
        if (body != null) {
            line.put("request", body);
        }
        UpstreamException broke = request.call() == null ? null : request.call().relayError();
        // a client that hangs up once it has the last event (OpenAI's SDK does) did nothing wrong
        boolean leftAtTheEnd = broke != null && broke.kind() == UpstreamException.Kind.CLIENT_GONE && usage.complete();
        line.put("error", broke != null && !leftAtTheEnd ? broke.getMessage() : request.error());
        AccessLog.write(line);
        if (traces.on()) {
            Map<String, Object> span = operationAttributes(api, kind, model, provider);
            span.put("caravan.org", line.get("org"));
            span.put("caravan.user", user);
            span.put("http.response.status_code", status);
            if (usage.any()) {
                span.put("gen_ai.usage.input_tokens", usage.input());
                span.put("gen_ai.usage.output_tokens", usage.output());
            }
            span.put("caravan.cost_usd", cost == null ? null : cost.total());
            traces.tag(exchange, span, extra);
        }
    }

    private static DistributionSummary tokens(MeterCache.Meters m, MeterRegistry r, Supplier<Tags> who, String type) {
        return m.meter(type, () -> r.summary("gen_ai.client.token.usage", who.get().and(
                "gen_ai.token.type", type)));
    }

    private static Timer latency(String name, Tags tags, MeterRegistry r) {
        return Timer.builder(name).tags(tags).serviceLevelObjectives(GatewayMetrics.LATENCY_BUCKETS).register(r);
    }

    /** The request body as JSON, for fields that read it (parsed only then). */
    private static JsonNode body(LlmRequest request) {
        try {
            return request.body().length == 0 ? null : JSON.readTree(request.body());
        } catch (IOException e) {
            return null;
        }
    }

    /** The price list of a provider kind: Vertex AI prices Anthropic and Gemini models as Google lists them. */
    private static String priceList(String kind) {
        return "vertex".equals(kind) ? "google" : kind;
    }

    /**
     * What a span of an LLM operation says first, the request's and each provider call's: operation, provider and
     * model in OpenTelemetry's GenAI names, and the provider route. A map to add to.
     */
    static Map<String, Object> operationAttributes(WireApi api, String kind, String model, String provider) {
        Map<String, Object> attributes = new HashMap<>();
        attributes.put("gen_ai.operation.name", api == null ? null : api.operation());
        attributes.put("gen_ai.provider.name", otelProvider(kind));
        attributes.put("gen_ai.request.model", model);
        attributes.put("caravan.provider", provider);
        return attributes;
    }

    /** gen_ai.provider.name as OpenTelemetry's GenAI conventions spell it. */
    static String otelProvider(String kind) {
        return switch (kind) {
            case "vertex" -> "gcp.vertex_ai";
            case "anthropic" -> "anthropic";
            case "openai" -> "openai";
            default -> LabelCap.NONE;
        };
    }
}
