package dev.caravan.mcp;

import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;

import dev.caravan.telemetry.Traces;

/**
 * Asks one backend whether it answers, through its own route (its URL, credentials and timeouts): an
 * {@code initialize}, then a DELETE of the session that opened. Used for the first discovery and to probe a backend
 * that is down. The route's last step reports the outcome to its backend's health like any other call.
 */
final class BackendProbe {

    private static final IntNode ID = IntNode.valueOf(0);
    private static final JsonNode INITIALIZE = initialize();

    private final Traces traces;
    private final long timeoutMillis;

    /** @param timeoutMillis how long the backend has to answer (the fan-out timeout) */
    BackendProbe(Traces traces, long timeoutMillis) {
        this.traces = traces;
        this.timeoutMillis = timeoutMillis;
    }

    /** The backend's answer to initialize; the session it opened, if any, is ended without waiting. */
    CompletableFuture<BackendAnswer> probe(ProducerTemplate template, String backend, Endpoint route) {
        return template.asyncSend(route, request(template, backend, "POST", INITIALIZE, null))
                .thenApply(answered -> {
                    BackendAnswer answer = BackendAnswer.of(answered, ID);
                    if (answer.sessionId() != null) {
                        template.asyncSend(route, request(template, backend, "DELETE", null, answer.sessionId()));
                    }
                    return answer;
                });
    }

    private static JsonNode initialize() {
        ObjectNode message = JsonRpc.request(ID, McpMethod.INITIALIZE.wireName());
        ObjectNode params = message.putObject("params");
        params.put("protocolVersion", "2025-11-25");
        params.putObject("capabilities");
        params.putObject("clientInfo").put("name", "caravan-probe").put("version", "1");
        return message;
    }

    private Exchange request(ProducerTemplate template, String backend, String method, JsonNode body, String session) {
        Exchange exchange = new DefaultExchange(template.getCamelContext());
        McpCall.internal(method.equals("POST") ? McpMethod.INITIALIZE.wireName() : method, null, backend)
                .attach(exchange);
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, method);
        McpBackendRequest.prepare(exchange, backend, body, traces);
        if (session != null) {
            exchange.getMessage().setHeader(McpSessionCheck.HEADER, session);
        }
        McpCall.of(exchange).deadline(System.currentTimeMillis() + timeoutMillis);
        return exchange;
    }
}
