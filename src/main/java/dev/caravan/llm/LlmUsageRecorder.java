package dev.caravan.llm;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
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

        MeterRegistry registry = metrics.registry();
        Tags who = Tags.of("gen_ai.provider.name", otelProvider(kind), "gen_ai.request.model", model,
                "caravan.provider", provider, "caravan.org", org, "caravan.user", user);
        if (usage.any()) {
            record(registry, who, "input", usage.input());
            record(registry, who, "output", usage.output());
            record(registry, who, "cache_read", usage.cacheRead());
            record(registry, who, "cache_write", usage.cacheWrite());
            if (cost != null) {
                registry.counter("caravan.llm.cost.usd", who).increment(cost.total());
            } else {
                registry.counter("caravan.llm.cost.unknown", "caravan.provider", provider, "gen_ai.request.model",
                        model).increment();
            }
            if (!usage.complete()) {
                registry.counter("caravan.llm.usage.incomplete", "caravan.provider", provider).increment();
            }
        }
        registry.counter("caravan.llm.requests", who.and("http.response.status_code", String.valueOf(status)))
                .increment();
        Tags operation = Tags.of("gen_ai.provider.name", otelProvider(kind), "gen_ai.request.model", model,
                "caravan.provider", provider);
        registry.timer("gen_ai.client.operation.duration", operation.and("http.response.status_code",
                String.valueOf(status))).record(now - started, TimeUnit.NANOSECONDS);
        if (relay != null && relay.firstChunkNanos() > 0) {
            registry.timer("gen_ai.server.time_to_first_token", operation)
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

    private static void record(MeterRegistry registry, Tags who, String type, long tokens) {
        registry.summary("gen_ai.client.token.usage", who.and("gen_ai.token.type", type)).record(tokens);
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
