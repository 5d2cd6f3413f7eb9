package dev.caravan.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/**
 * Binds an OpenTelemetry SDK that keeps finished spans in memory, before the gateway's own configuration runs: the
 * gateway then traces into it (an {@link OpenTelemetry} bean turns tracing on).
 */
public final class InMemoryTracing implements CamelConfiguration {

    public static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();

    @Override
    public void configure(CamelContext context) {
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(SPANS))
                        .build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
        context.getRegistry().bind("testOpenTelemetry", OpenTelemetry.class, sdk);
    }
}
