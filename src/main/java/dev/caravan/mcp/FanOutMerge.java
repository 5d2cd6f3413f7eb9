package dev.caravan.mcp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.caravan.telemetry.GatewayMetrics;

/**
 * Base of the aggregation strategies that merge a fan-out to every backend. A backend that failed, answered garbage or
 * ran out of time is logged, counted and left out; it never fails the whole request. The answers are handed to
 * {@link #reply} in declaration order, whatever order they arrived in.
 */
abstract class FanOutMerge implements AggregationStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(FanOutMerge.class);
    private static final String ANSWERS = "mcpFanOutAnswers";

    private final GatewayMetrics metrics;

    FanOutMerge(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        Exchange result = oldExchange == null ? newExchange : oldExchange;
        McpCall call = McpCall.of(newExchange);
        JsonRpc.Message request = call.message();
        BackendAnswer answer = BackendAnswer.of(newExchange, request == null ? null : request.id());
        String method = call.method();
        if (!answer.ok() && worthReporting(answer)) {
            LOG.warn("MCP backend left out of {}: {}", method, answer.failure());
            metrics.backendFailure(answer.backend(), method, answer.failureKind());
        }
        @SuppressWarnings("unchecked")
        Map<Integer, BackendAnswer> answers = result.getProperty(ANSWERS, Map.class);
        if (answers == null) {
            answers = new TreeMap<>();
            result.setProperty(ANSWERS, answers);
        }
        answers.put(newExchange.getProperty(ExchangePropertyKey.MULTICAST_INDEX, 0, Integer.class), answer);
        // the failure is accounted for; it must not fail the request
        newExchange.setException(null);
        result.setException(null);
        return result;
    }

    @Override
    public void onCompletion(Exchange result, Exchange original) {
        Exchange target = result != null ? result : original;
        @SuppressWarnings("unchecked")
        Map<Integer, BackendAnswer> answers = target.getProperty(ANSWERS, Map.class);
        target.removeProperty(ANSWERS);
        List<BackendAnswer> all = answers == null ? List.of() : new ArrayList<>(answers.values());
        // the result is one backend's copy, with its context for that backend: the request's own goes back on it,
        // with that copy's call, whose answer (a GET stream's) may have gone to the client as it came
        McpCall call = McpCall.of(original);
        McpCall kept = McpCall.of(target);
        if (kept != call && kept.upstream() != null) {
            call.upstream(kept.upstream());
        }
        call.attach(target);
        call.fanOut(all);
        if (needsAnAnswer() && !all.isEmpty() && all.stream().noneMatch(BackendAnswer::ok)) {
            JsonRpc.Message request = call.message();
            List<String> reasons = all.stream().map(BackendAnswer::failure).toList();
            McpReply.json(target, 200, JsonRpc.error(request.id(), JsonRpc.INTERNAL_ERROR,
                    "No MCP backend answered: " + String.join("; ", reasons)));
            return;
        }
        reply(target, original, all);
    }

    /** Whether a backend's failure is logged and counted (some are expected, such as 405 to a GET). */
    boolean worthReporting(BackendAnswer answer) {
        return true;
    }

    /** Whether the client's request fails when every backend failed (true unless the answers do not matter). */
    boolean needsAnAnswer() {
        return true;
    }

    /**
     * Writes the client's reply into {@code target}.
     *
     * @param original the exchange the fan-out started from, with the client's request
     * @param answers  one per backend asked, in declaration order
     */
    abstract void reply(Exchange target, Exchange original, List<BackendAnswer> answers);
}
