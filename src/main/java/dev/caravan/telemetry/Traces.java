package dev.caravan.telemetry;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.vertx.core.MultiMap;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.opentelemetry2.OpenTelemetryTracer;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.telemetry.SpanStorageManagerExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.caravan.core.ClientRequest;

/**
 * OpenTelemetry traces, off unless configured. Camel's routes get their spans from camel-opentelemetry2: the
 * listener's span joins the caller's W3C trace context ({@code traceparent}), and every route it passes through adds
 * one. The gateway adds what Camel cannot see, because its upstream calls bypass Camel's producers: a client span per
 * upstream call, whose context goes to the upstream as {@code traceparent}, and the request's own facts (MCP method and
 * tool, GenAI provider, model and tokens, user, organization) as attributes.
 * <p>
 * The SDK is set up from the standard {@code OTEL_*} variables (exporter, endpoint, sampler, resource), or taken from
 * an {@link OpenTelemetry} bean in the registry.
 */
public final class Traces {

    private static final Logger LOG = LoggerFactory.getLogger(Traces.class);
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    /** W3C trace context as a caller may pass it through (anything else a client sends under these names stays) */
    private static final Pattern TRACEPARENT = Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
    private static final Pattern TRACESTATE = Pattern.compile("[\\x20-\\x7e]{0,512}");
    private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private static final Traces OFF = new Traces(null, null, null);

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final org.apache.camel.telemetry.Tracer camelTracer;
    private final SpanStorageManagerExchange camelSpans = new SpanStorageManagerExchange();

    private Traces(Tracer tracer, TextMapPropagator propagator, org.apache.camel.telemetry.Tracer camelTracer) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.camelTracer = camelTracer;
    }

    /**
     * Sets tracing up for a context that has not started yet.
     *
     * @param mode    {@code true}, {@code false}, or {@code auto}: on when an {@code OTEL_*} variable names a traces
     *                exporter or an OTLP endpoint, or an {@link OpenTelemetry} bean is in the registry
     * @param exclude endpoints Camel makes no spans for (its exclude patterns, e.g. {@code direct:*})
     */
    public static Traces setUp(CamelContext context, String mode, String exclude, Map<String, String> env)
            throws Exception {
        OpenTelemetry given = context.getRegistry().findSingleByType(OpenTelemetry.class);
        boolean on = switch (mode.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            case "auto" -> given != null || configured(env);
            default -> throw new IllegalArgumentException("caravan.tracing.enabled must be true, false or auto, not "
                                                          + mode);
        };
        if (!on) {
            return OFF;
        }
        OpenTelemetry otel = given != null ? given : sdk(context);
        Tracer tracer = otel.getTracer("caravan");
        // camel-opentelemetry2 finds these in the registry
        context.getRegistry().bind("caravanOtelTracer", Tracer.class, new ListenerSpans(tracer));
        context.getRegistry().bind("caravanOtelPropagators", otel.getPropagators());
        OpenTelemetryTracer camelTracer = new OpenTelemetryTracer();
        if (!exclude.isBlank()) {
            camelTracer.setExcludePatterns(exclude);
        }
        camelTracer.init(context);
        LOG.info("Tracing on: spans go to {}", given != null ? "the registry's OpenTelemetry"
                : env.getOrDefault("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                        env.getOrDefault("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4318")));
        return new Traces(tracer, otel.getPropagators().getTextMapPropagator(), camelTracer);
    }

    private static boolean configured(Map<String, String> env) {
        String exporter = env.get("OTEL_TRACES_EXPORTER");
        if (exporter != null && !exporter.isBlank()) {
            return !"none".equalsIgnoreCase(exporter.strip());
        }
        return env.containsKey("OTEL_EXPORTER_OTLP_ENDPOINT") || env.containsKey("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    }

    /**
     * The SDK from OTEL_* variables; metrics and logs have their own ways out (Prometheus, the access log). OTLP goes
     * over HTTP with the JDK's client (the spec's default protocol): no gRPC stack in the gateway.
     */
    private static OpenTelemetry sdk(CamelContext context) throws Exception {
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> Map.of("otel.service.name", "caravan", "otel.metrics.exporter", "none",
                        "otel.logs.exporter", "none", "otel.exporter.otlp.protocol", "http/protobuf"))
                .disableShutdownHook().build().getOpenTelemetrySdk();
        // spans still queued for export go out when the gateway stops
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                sdk.shutdown().join(10, TimeUnit.SECONDS);
            }
        }, true, true);
        return sdk;
    }

    public boolean on() {
        return tracer != null;
    }

    /**
     * Starts the client span of an upstream call, a child of the span the exchange is in, and writes its context into
     * the upstream request's headers. The span is ended by {@link #end}; invalid (records nothing) when tracing is off,
     * and then the caller's own W3C trace context (from its real request) goes upstream unchanged.
     */
    public Span upstream(Exchange exchange, String name, Map<String, Object> attributes, String method, String host,
                         int port, MultiMap headers) {
        if (tracer == null) {
            String parent = ClientRequest.header(exchange, "traceparent");
            if (parent != null && TRACEPARENT.matcher(parent).matches()) {
                headers.set("traceparent", parent);
                String state = ClientRequest.header(exchange, "tracestate");
                if (state != null && TRACESTATE.matcher(state).matches()) {
                    headers.set("tracestate", state);
                }
            }
            return Span.getInvalid();
        }
        Span span = tracer.spanBuilder(name).setSpanKind(SpanKind.CLIENT).setParent(parent(exchange))
                .setAttribute("http.request.method", method).setAttribute("server.address", host)
                .setAttribute("server.port", port).startSpan();
        attributes.forEach((k, v) -> set(span, k, v));
        propagator.inject(Context.root().with(span), headers, MultiMap::set);
        return span;
    }

    /** Ends an upstream span with the upstream's status (0 when there was none) and what went wrong, if anything. */
    public static void end(Span span, int status, String error, Map<String, Object> attributes) {
        if (!span.getSpanContext().isValid()) {
            return;
        }
        if (status > 0) {
            span.setAttribute(STATUS, status);
        }
        attributes.forEach((k, v) -> set(span, k, v));
        if (error != null || status >= 500) {
            span.setAttribute("error.type", error != null ? error : String.valueOf(status));
        }
        if (error != null || status >= 500 || attributes.containsKey("error.type")) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }

    /**
     * Adds attributes to the span the exchange is in (Camel's spans take text only); {@code fields} (those of route
     * files) become {@code caravan.<name>}.
     */
    public void tag(Exchange exchange, Map<String, ?> attributes, Map<String, String> fields) {
        if (tracer == null) {
            return;
        }
        org.apache.camel.telemetry.Span span = camelSpans.peek(exchange);
        if (span != null) {
            attributes.forEach((k, v) -> {
                if (v != null) {
                    span.setTag(k, v.toString());
                }
            });
            fields.forEach((k, v) -> span.setTag("caravan." + k, v));
        }
    }

    /** The context of the Camel span the exchange is in, as camel-opentelemetry2 would send it on. */
    private Context parent(Exchange exchange) {
        org.apache.camel.telemetry.Span span = camelSpans.peek(exchange);
        if (span == null) {
            return Context.root();
        }
        Map<String, String> carrier = new HashMap<>();
        camelTracer.getSpanLifecycleManager().inject(span, carrier::put, false);
        return propagator.extract(Context.root(), carrier, MAP_GETTER);
    }

    private static void set(Span span, String key, Object value) {
        if (value instanceof Long || value instanceof Integer) {
            span.setAttribute(key, ((Number) value).longValue());
        } else if (value instanceof Double d) {
            span.setAttribute(key, d);
        } else if (value instanceof Boolean b) {
            span.setAttribute(key, b);
        } else if (value != null) {
            span.setAttribute(key, value.toString());
        }
    }
}
