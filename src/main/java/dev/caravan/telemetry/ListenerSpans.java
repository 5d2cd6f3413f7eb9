package dev.caravan.telemetry;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

/**
 * The tracer Camel's spans come from. camel-opentelemetry2 (4.18) makes every span INTERNAL; a listener's span, the
 * first one of an HTTP request (named after its method, with no parent or the caller's remote one), is the request
 * the gateway served, so it is made a SERVER span: trace backends build service maps and request rates from those.
 */
final class ListenerSpans implements Tracer {

    private static final Set<String> HTTP_METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");

    private final Tracer tracer;

    ListenerSpans(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public SpanBuilder spanBuilder(String name) {
        SpanBuilder builder = tracer.spanBuilder(name);
        return HTTP_METHODS.contains(name) ? new Builder(builder) : builder;
    }

    /** Passes everything on, and picks the kind from the parent when the span starts. */
    private static final class Builder implements SpanBuilder {
        private final SpanBuilder builder;
        private Context parent;
        private boolean kindSet;

        Builder(SpanBuilder builder) {
            this.builder = builder;
        }

        @Override
        public SpanBuilder setParent(Context context) {
            parent = context;
            builder.setParent(context);
            return this;
        }

        @Override
        public SpanBuilder setNoParent() {
            parent = Context.root();
            builder.setNoParent();
            return this;
        }

        @Override
        public SpanBuilder addLink(SpanContext spanContext) {
            builder.addLink(spanContext);
            return this;
        }

        @Override
        public SpanBuilder addLink(SpanContext spanContext, Attributes attributes) {
            builder.addLink(spanContext, attributes);
            return this;
        }

        @Override
        public SpanBuilder setAttribute(String key, String value) {
            builder.setAttribute(key, value);
            return this;
        }

        @Override
        public SpanBuilder setAttribute(String key, long value) {
            builder.setAttribute(key, value);
            return this;
        }

        @Override
        public SpanBuilder setAttribute(String key, double value) {
            builder.setAttribute(key, value);
            return this;
        }

        @Override
        public SpanBuilder setAttribute(String key, boolean value) {
            builder.setAttribute(key, value);
            return this;
        }

        @Override
        public <T> SpanBuilder setAttribute(AttributeKey<T> key, T value) {
            builder.setAttribute(key, value);
            return this;
        }

        @Override
        public SpanBuilder setSpanKind(SpanKind kind) {
            kindSet = true;
            builder.setSpanKind(kind);
            return this;
        }

        @Override
        public SpanBuilder setStartTimestamp(long startTimestamp, TimeUnit unit) {
            builder.setStartTimestamp(startTimestamp, unit);
            return this;
        }

        @Override
        public SpanBuilder setStartTimestamp(Instant startTimestamp) {
            builder.setStartTimestamp(startTimestamp);
            return this;
        }

        @Override
        public Span startSpan() {
            SpanContext from = Span.fromContext(parent == null ? Context.current() : parent).getSpanContext();
            if (!kindSet && (!from.isValid() || from.isRemote())) {
                builder.setSpanKind(SpanKind.SERVER);
            }
            return builder.startSpan();
        }
    }
}
