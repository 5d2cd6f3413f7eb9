package dev.caravan.telemetry;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Tags;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured {@link Fields} of one listener (a bean a route file declares by name) as metric labels. Prometheus
 * wants every meter of a name to have the same label names, so the names are fixed by the first request; a route
 * file that later changes them takes effect in metrics at the next restart (the access log follows at once).
 */
public final class FieldLabels {

    private static final Logger LOG = LoggerFactory.getLogger(FieldLabels.class);

    private final String bean;
    private volatile List<String> names;
    private volatile boolean warned;

    /** @param bean the name of the {@link Fields} bean in the registry (it need not exist) */
    public FieldLabels(String bean) {
        this.bean = bean;
    }

    /** The fields of a request, with values; empty without a {@link Fields} bean. */
    public Map<String, String> values(Exchange exchange, java.util.function.Supplier<JsonNode> body) {
        Fields fields = exchange.getContext().getRegistry().lookupByNameAndType(bean, Fields.class);
        if (fields == null) {
            return Map.of();
        }
        return fields.of(exchange, fields.readsBody() ? body.get() : null);
    }

    /** The fields as tags, always with the label names of the first request. */
    public Tags tags(Map<String, String> values) {
        List<String> fixed = names;
        if (fixed == null) {
            names = fixed = List.copyOf(values.keySet());
        } else if (!warned && !fixed.equals(List.copyOf(values.keySet()))) {
            warned = true;
            LOG.warn("{} changed its fields to {}; metrics keep the labels {} until the gateway restarts", bean,
                    values.keySet(), fixed);
        }
        String[] kv = new String[fixed.size() * 2];
        for (int i = 0; i < fixed.size(); i++) {
            kv[2 * i] = fixed.get(i);
            kv[2 * i + 1] = values.getOrDefault(fixed.get(i), LabelCap.NONE);
        }
        return Tags.of(kv);
    }
}
