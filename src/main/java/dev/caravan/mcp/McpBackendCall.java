package dev.caravan.mcp;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.caravan.proxy.Upstream;
import dev.caravan.proxy.UpstreamCall;
import dev.caravan.proxy.UpstreamRequest;
import dev.caravan.telemetry.GatewayMetrics;
import dev.caravan.telemetry.Traces;

/**
 * The call to one MCP backend, the last step of its route (kamelets/mcp-backend.kamelet.yaml): the upstream call, what
 * its outcome says about the backend's health (its {@link McpBackendHealth}), and the recovery of a backend session the
 * backend lost. A backend that restarted no longer knows its sessions and says so
 * (HTTP 404 as the spec asks, or 400 "No valid session ID" as servers built on the TypeScript SDK answer). The gateway
 * then initializes it again with what the client sent at initialize (kept in the gateway session), sends
 * notifications/initialized, and repeats the request once with the new backend session, which this replica keeps for
 * the rest of the gateway session ({@link McpSessions#renew}). Requests of one session that meet the same loss at once
 * share one initialization. Everything is asynchronous: the steps chain on the upstream call's callbacks.
 */
public final class McpBackendCall {

    private static final Logger LOG = LoggerFactory.getLogger(McpBackendCall.class);
    private static final TextNode INITIALIZE_ID = TextNode.valueOf("caravan-renew");
    private static final TextNode TOOLS_ID = TextNode.valueOf("caravan-tools");

    private final UpstreamCall upstreamCall;
    private final McpSessions sessions;
    private final ToolParamHeaders toolHeaders;
    private final GatewayMetrics metrics;
    private final Traces traces;
    private final long timeoutMillis;
    /** initializations under way, by gateway session, backend and the backend session that was lost */
    private final Map<String, CompletableFuture<McpSessions.Backend>> renewing = new ConcurrentHashMap<>();

    /**
     * @param timeoutMillis how long initializing a backend again may take (the fan-out timeout)
     */
    public McpBackendCall(UpstreamCall upstreamCall, McpSessions sessions, ToolParamHeaders toolHeaders,
                          GatewayMetrics metrics, Traces traces, long timeoutMillis) {
        this.upstreamCall = upstreamCall;
        this.sessions = sessions;
        this.toolHeaders = toolHeaders;
        this.metrics = metrics;
        this.traces = traces;
        this.timeoutMillis = timeoutMillis;
    }

    /** A request that can be repeated on a new backend session: what it sent, and the backend session it used. */
    private record Repeatable(String sessionId, String backend, McpSessions.Session session, String lost,
                              Map<String, Object> headers, Object body) {
    }

    /** Calls {@code backend}, the last step of the exchange's route; true when that completed at once. */
    boolean process(Exchange exchange, McpBackend backend, AsyncCallback callback) {
        if (ModernBackend.answeredHere(exchange)) {
            callback.done(true);
            return true;
        }
        McpCall routed = McpCall.of(exchange);
        if (McpMethod.INITIALIZE.wireName().equals(routed.method())) {
            return initialize(exchange, backend, callback);
        }
        if (routed.resumes() != null) {
            return resume(exchange, backend, routed.resumes(), callback);
        }
        if (routed.row() == McpMethod.TOOLS_CALL && routed.session() != null
                && ModernBackend.speaks(routed.session().backends().get(routed.backend()))) {
            return callTool(exchange, backend, callback);
        }
        Upstream upstream = backend.upstream();
        McpBackendHealth health = backend.health();
        Repeatable request = repeatable(exchange);
        // (the upstream call only completes synchronously when it sent nothing, which is never a lost session)
        return call(exchange, upstream, doneSync -> {
            if (request == null || !sessionLost(exchange)) {
                health.observed(exchange);
                callback.done(doneSync);
                return;
            }
            // a shared initialization may complete on another request's event loop: come back to this call's
            Context context = Vertx.currentContext();
            renew(exchange, upstream, request).whenComplete((fresh, failed) -> onContext(context, () -> {
                if (fresh == null) {
                    // the backend's refusal stands: the request fails for this backend only
                    health.observed(exchange);
                    callback.done(false);
                    return;
                }
                repeat(exchange, request, fresh);
                call(exchange, upstream, repeated -> {
                    health.observed(exchange);
                    callback.done(false);
                });
            }));
        });
    }

    /**
     * A 2026-07-28 client's repeat of a call whose backend asked it questions ({@link LiveQuestions}): the client's
     * answers go to the backend as its session's responses to them, then the rest of the held call streams to the
     * repeat. A backend that does not take an answer fails the repeat.
     */
    private boolean resume(Exchange exchange, McpBackend backend, McpStreamRelay held, AsyncCallback callback) {
        McpCall call = McpCall.of(exchange);
        JsonNode responses = call.message().params().path("inputResponses");
        Context context = Vertx.currentContext();
        CompletableFuture<?>[] given = held.asking().entrySet().stream().map(asked -> {
            ObjectNode answer = JsonRpc.result(asked.getValue().get("id"), responses.get(asked.getKey()));
            return send(backendRequest(exchange, call.backend(), call.session(), answer), backend.upstream());
        }).toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(given).thenRun(() -> onContext(context, () -> {
            for (CompletableFuture<?> taken : given) {
                int status = ((Exchange) taken.join()).getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0,
                        Integer.class);
                if (status < 200 || status >= 300) {
                    Message m = exchange.getMessage();
                    m.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
                    m.setBody(JsonRpc.bytes(JsonRpc.backendError(call.message().id(), call.backend(), call.backend()
                            + ": did not take the answers to its questions (HTTP " + status + ")")));
                    callback.done(false);
                    return;
                }
            }
            call.answeredElsewhere(true);
            HttpServerResponse response = UpstreamCall.clientResponse(exchange);
            onContext(held.context(), () -> held.resume(response, call.message().id(),
                    over -> onContext(context, () -> callback.done(false))));
        }));
        return false;
    }

    /**
     * A tool call to a backend of MCP 2026-07-28. When it refuses the call's {@code Mcp-Param-*} headers (-32020: the
     * tool's marks changed, or this replica never saw it listed), its tools are listed again and the call is repeated
     * once with the headers they mark, as the spec asks a client to do.
     */
    private boolean callTool(Exchange exchange, McpBackend backend, AsyncCallback callback) {
        Upstream upstream = backend.upstream();
        Message m = exchange.getMessage();
        Map<String, Object> headers = new HashMap<>(m.getHeaders());
        Object body = m.getBody();
        return call(exchange, upstream, doneSync -> {
            if (McpCall.of(exchange).relayed() || !ModernBackend.refusedHeaders(exchange)) {
                backend.health().observed(exchange);
                callback.done(doneSync);
                return;
            }
            Context context = Vertx.currentContext();
            McpCall call = McpCall.of(exchange);
            ObjectNode list = JsonRpc.request(TOOLS_ID, McpMethod.TOOLS_LIST.wireName());
            send(backendRequest(exchange, call.backend(), call.session(), list), upstream).thenAccept(listed -> onContext(
                    context, () -> {
                        BackendAnswer answer = BackendAnswer.of(listed, TOOLS_ID);
                        if (!answer.ok()) {
                            backend.health().observed(exchange);
                            callback.done(false);
                            return;
                        }
                        toolHeaders.learn(call.backend(), answer.result().path("tools"));
                        m.setHeaders(new HashMap<>(headers));
                        m.getHeaders().keySet().removeIf(ToolParamHeaders::isParamHeader);
                        m.setBody(body);
                        exchange.setException(null);
                        JsonNode params = call.message().params();
                        List<ToolParamHeaders.Declaration> marked = toolHeaders.of(call.backend(),
                                params.path("name").asText());
                        if (marked != null) {
                            try {
                                if (call.modern() != null) {
                                    // its own headers were what the backend refused
                                    ToolParamHeaders.check(exchange, marked, params.get("arguments"), call.message());
                                }
                            } catch (McpException refused) {
                                ModernBackend.refuse(exchange, refused);
                                backend.health().observed(exchange);
                                callback.done(false);
                                return;
                            }
                            ToolParamHeaders.set(m, marked, params.get("arguments"));
                        }
                        call(exchange, upstream, repeated -> {
                            backend.health().observed(exchange);
                            callback.done(false);
                        });
                    }));
        });
    }

    /**
     * Initializes the backend for a gateway session: with {@code initialize}, or for a backend that speaks only MCP
     * 2026-07-28 (it refused initialize so, and is known to from then on) with {@code server/discover}, whose answer
     * stands in for initialize's.
     */
    private boolean initialize(Exchange exchange, McpBackend backend, AsyncCallback callback) {
        if (backend.modern()) {
            Message m = exchange.getMessage();
            Map<String, Object> headers = new HashMap<>(m.getHeaders());
            Object body = m.getBody();
            return discover(exchange, backend, doneSync -> {
                if (backend.modern()) {
                    callback.done(doneSync);
                    return;
                }
                // it refused discover (rolled back to the older generation?): initialize it as it is now
                m.setHeaders(headers);
                m.setBody(body);
                initialize(exchange, backend, initialized -> callback.done(false));
            });
        }
        return call(exchange, backend.upstream(), doneSync -> {
            if (!ModernBackend.refusedInitialize(exchange)) {
                backend.health().observed(exchange);
                callback.done(doneSync);
                return;
            }
            LOG.info("MCP backend {} speaks only MCP {}: the gateway discovers it instead of initializing it",
                    backend.upstream().name(), ModernRequest.VERSION);
            backend.modern(true);
            discover(exchange, backend, discovered -> callback.done(false));
        });
    }

    private boolean discover(Exchange exchange, McpBackend backend, AsyncCallback callback) {
        JsonNode id = ModernBackend.discoverInstead(exchange);
        return call(exchange, backend.upstream(), doneSync -> {
            String failure = ModernBackend.answerAsInitialize(exchange, id).failureKind();
            if ("jsonrpc_error".equals(failure) || failure != null && failure.startsWith("http_4")) {
                // a refusal, not an outage: the backend is asked initialize again, as after a restart of the gateway
                backend.modern(false);
            }
            backend.health().observed(exchange);
            callback.done(doneSync);
        });
    }

    /**
     * The call to the backend as the message and the steps before prepared it; kept in the context for
     * the steps after, which read its outcome.
     */
    private boolean call(Exchange exchange, Upstream upstream, AsyncCallback callback) {
        Message m = exchange.getMessage();
        McpCall context = McpCall.of(exchange);
        UpstreamRequest call = new UpstreamRequest(upstream)
                .method(m.getHeader(Exchange.HTTP_METHOD, "POST", String.class))
                .body(m.getBody())
                .relay(context.relay())
                .longLived(context.longLived())
                .deadline(context.deadline());
        call.span(context.spanName(), context.spanAttributes());
        for (String name : McpBackendRequest.TRANSPORT_HEADERS) {
            Object value = m.getHeader(name);
            if (value != null) {
                call.headers().add(name, value.toString());
            }
        }
        // the request was built from nothing (McpBackendRequest.prepare): these are the gateway's own, for a backend
        // of MCP 2026-07-28 (ToolParamHeaders)
        m.getHeaders().forEach((name, value) -> {
            if (ToolParamHeaders.isParamHeader(name)) {
                call.headers().add(name, value.toString());
            }
        });
        context.upstream(call);
        return upstreamCall.send(exchange, call, callback);
    }

    static void onContext(Context context, Runnable step) {
        if (context == null || context == Vertx.currentContext()) {
            step.run();
        } else {
            context.runOnContext(v -> step.run());
        }
    }

    /**
     * The request as sent, when it belongs to a gateway session that can initialize this backend again: not a DELETE
     * (the session ends anyway) nor the client's answer to a request of the lost session.
     */
    private static Repeatable repeatable(Exchange exchange) {
        McpCall call = McpCall.of(exchange);
        McpSessions.Session session = call.session();
        String backend = call.backend();
        McpSessions.Backend held = session == null || backend == null ? null : session.backends().get(backend);
        Message m = exchange.getMessage();
        if (held == null || held.sessionId() == null || session.client() == null
                || "DELETE".equals(m.getHeader(Exchange.HTTP_METHOD, String.class))
                || call.dispatch() == McpMethod.Dispatch.ANSWER) {
            return null;
        }
        return new Repeatable(call.sessionId(), backend, session,
                held.sessionId(), new HashMap<>(m.getHeaders()), m.getBody());
    }

    /** Whether the backend answered that it does not know the session. */
    private static boolean sessionLost(Exchange exchange) {
        if (exchange.getException() != null || McpCall.of(exchange).relayed()) {
            return false;
        }
        Message m = exchange.getMessage();
        int status = m.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        if (status == 404) {
            return true;
        }
        byte[] body = status == 400 ? m.getBody(byte[].class) : null;
        return body != null && new String(body, StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT)
                .contains("session");
    }

    /** The backend session that replaces the lost one: renewed already on this replica, or initialized now. */
    private CompletableFuture<McpSessions.Backend> renew(Exchange exchange, Upstream upstream, Repeatable request) {
        McpSessions.Backend current = sessions.renewed(request.sessionId(), request.backend());
        if (current != null && !request.lost().equals(current.sessionId())) {
            // another request of the session renewed it while this one was on its way
            return CompletableFuture.completedFuture(current);
        }
        String key = request.sessionId() + '\n' + request.backend() + '\n' + request.lost();
        CompletableFuture<McpSessions.Backend> mine = new CompletableFuture<>();
        CompletableFuture<McpSessions.Backend> running = renewing.putIfAbsent(key, mine);
        if (running != null) {
            return running;
        }
        initialize(exchange, upstream, request).whenComplete((fresh, failed) -> {
            renewing.remove(key);
            if (fresh != null) {
                sessions.renew(request.sessionId(), request.session(), request.backend(), fresh);
                metrics.registry().counter("caravan.mcp.backend.sessions.renewed", "backend", request.backend())
                        .increment();
                LOG.info("MCP backend {} no longer knew a session (it restarted?): initialized it again",
                        request.backend());
            } else {
                LOG.warn("MCP backend {} no longer knows a session and could not be initialized again: {}",
                        request.backend(), failed == null ? "no answer" : failed.getMessage());
            }
            mine.complete(fresh);
        });
        return mine;
    }

    /** initialize with the client's own params, then notifications/initialized on the new backend session. */
    private CompletableFuture<McpSessions.Backend> initialize(Exchange exchange, Upstream upstream,
                                                              Repeatable request) {
        ObjectNode initialize = JsonRpc.request(INITIALIZE_ID, McpMethod.INITIALIZE.wireName());
        initialize.set("params", request.session().client());
        Exchange ask = backendRequest(exchange, request.backend(), null, initialize);
        return send(ask, upstream).thenCompose(answered -> {
            BackendAnswer answer = BackendAnswer.of(answered, INITIALIZE_ID);
            if (!answer.ok()) {
                return CompletableFuture.failedFuture(new IllegalStateException(answer.failure()));
            }
            McpSessions.Backend fresh = answer.held();
            ObjectNode initialized = JsonRpc.notification("notifications/initialized");
            return send(backendRequest(exchange, request.backend(), request.session().with(request.backend(), fresh),
                    initialized), upstream).thenApply(ack -> fresh);
        });
    }

    /** A request of the gateway's own to the backend of {@code exchange}, through the same upstream settings. */
    private Exchange backendRequest(Exchange exchange, String backend, McpSessions.Session session,
                                    ObjectNode message) {
        Exchange request = new DefaultExchange(exchange.getContext());
        long deadline = McpCall.of(exchange).deadline();
        long limit = System.currentTimeMillis() + timeoutMillis;
        McpCall internal = McpCall.internal(message.path("method").asText(""), session, backend);
        internal.deadline(deadline == 0 ? limit : Math.min(deadline, limit));
        internal.attach(request);
        request.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
        McpBackendRequest.prepare(request, backend, message, traces);
        return request;
    }

    private CompletableFuture<Exchange> send(Exchange request, Upstream upstream) {
        CompletableFuture<Exchange> answered = new CompletableFuture<>();
        call(request, upstream, doneSync -> answered.complete(request));
        return answered;
    }

    /** Makes the request again what it was, for the new backend session (without the lost stream's position). */
    private static void repeat(Exchange exchange, Repeatable request, McpSessions.Backend fresh) {
        Message m = exchange.getMessage();
        m.setHeaders(new HashMap<>(request.headers()));
        m.removeHeader("Last-Event-ID");
        m.setBody(request.body());
        exchange.setException(null);
        McpCall call = McpCall.of(exchange);
        call.session(call.session().with(request.backend(), fresh));
        McpBackendRequest.sessionHeaders(exchange, request.backend());
    }
}
