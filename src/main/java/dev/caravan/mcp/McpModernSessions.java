package dev.caravan.mcp;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import org.apache.camel.support.DefaultExchange;

/**
 * The sessions the gateway keeps for clients of the sessionless generation (2026-07-28). Such a client sends its
 * capabilities and info with every request and never initializes, but the backends of the older generation need a
 * session, so the gateway initializes them itself, through the same initialize route a client's {@code initialize}
 * takes, once per caller (token subject), capabilities and client info, and keeps the sealed gateway session it got
 * for later requests of the same kind, on this replica, for half the session lifetime (30 s when a backend was
 * missing from it, and only once a missing backend is up). The backend sessions a renewal replaces are left to
 * expire at their servers. The client's elicitation, sampling and roots capabilities are not passed on: a backend
 * that asked for input could not get it yet. Callers without a token (auth off or optional) share sessions when their
 * clients send the same capabilities and info. Any replica serves any request:
 * one that has none yet makes its own. A backend that loses its session is initialized again as for any session
 * ({@link McpBackendCall}).
 */
public final class McpModernSessions extends AsyncProcessorSupport {

    /** sessions kept per replica; past this many the cache starts afresh (the sessions stay valid) */
    private static final int MAX_KEPT = 10_000;
    /** how soon a session that lacks a backend is made again */
    private static final long INCOMPLETE_RENEW_MILLIS = 30_000;

    /** A kept session: its id, what initialize answered, which backends it holds, and when to make it again. */
    private record Kept(String sessionId, ObjectNode initializeResult, Set<String> backends, long renewAt) {

        Kept later(long at) {
            return new Kept(sessionId, initializeResult, backends, at);
        }
    }

    private final McpBackends backends;
    private final McpSessions sessions;
    private final long renewAfterMillis;
    private final Map<String, CompletableFuture<Kept>> kept = new ConcurrentHashMap<>();
    private final CamelContext camelContext;
    private volatile AsyncProducer initialize;
    private volatile AsyncProducer broadcast;

    /** @param sessionTtlMillis how long a gateway session is valid (caravan.mcp.session.ttl) */
    public McpModernSessions(CamelContext camelContext, McpBackends backends, McpSessions sessions,
                             long sessionTtlMillis) {
        this.camelContext = camelContext;
        this.backends = backends;
        this.sessions = sessions;
        this.renewAfterMillis = sessionTtlMillis / 2;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        McpCall call = McpCall.of(exchange);
        if (call.message().kind() != JsonRpc.Kind.REQUEST) {
            // a notification of this generation is acknowledged and goes nowhere (McpLocalReplies)
            callback.done(true);
            return true;
        }
        // a digest: what a client sends may be large, and each key is kept
        String key = McpSessions.digest(call.subject() + '\n' + call.modern().capabilities() + '\n'
                                        + call.modern().clientInfo());
        CompletableFuture<Kept> found = kept.get(key);
        long now = System.currentTimeMillis();
        if (found != null && found.isDone() && !found.isCompletedExceptionally() && found.join().renewAt() < now) {
            Kept due = found.join();
            if (backendsBack(due)) {
                kept.remove(key, found);
                found = null;
            } else {
                // the backends it lacks are still down: a new session would lack them too
                CompletableFuture<Kept> extended = CompletableFuture.completedFuture(due.later(now
                        + INCOMPLETE_RENEW_MILLIS));
                found = kept.replace(key, found, extended) ? extended : found;
            }
        }
        if (found == null) {
            if (kept.size() >= MAX_KEPT) {
                kept.clear();
            }
            CompletableFuture<Kept> made = new CompletableFuture<>();
            found = kept.putIfAbsent(key, made);
            if (found == null) {
                found = made;
                initialize(exchange, call, made);
                // a failed initialization is not kept: the next request tries again
                made.whenComplete((k, failed) -> {
                    if (failed != null) {
                        kept.remove(key, made);
                    }
                });
            }
        }
        if (found.isDone()) {
            use(exchange, call, found);
            callback.done(true);
            return true;
        }
        CompletableFuture<Kept> waited = found;
        // the initialization ends on the event loop of the request that started it: go on on this request's own
        Context context = Vertx.currentContext();
        waited.whenComplete((k, failed) -> McpBackendCall.onContext(context, () -> {
            use(exchange, call, waited);
            callback.done(false);
        }));
        return false;
    }

    /** Whether a session is due to be made again: it is old, or a backend it lacks is up (again, or new). */
    private boolean backendsBack(Kept due) {
        return due.backends().size() >= backends.all().size()
               || backends.all().stream().anyMatch(b -> !due.backends().contains(b.name()) && !b.health().isDown());
    }

    private void use(Exchange exchange, McpCall call, CompletableFuture<Kept> made) {
        try {
            Kept k = made.join();
            call.session(k.sessionId(), sessions.open(k.sessionId(), call.subject()));
            call.discovered(k.initializeResult());
        } catch (RuntimeException e) {
            exchange.setException(e.getCause() instanceof McpException refused ? refused : e);
        }
    }

    /** Runs the initialize route for the caller of {@code call}, as a client's initialize would. */
    private void initialize(Exchange exchange, McpCall call, CompletableFuture<Kept> made) {
        Exchange init = new DefaultExchange(camelContext);
        McpCall asked = McpCall.arrived(System.nanoTime());
        ObjectNode message = JsonRpc.request(IntNode.valueOf(0), McpMethod.INITIALIZE.wireName());
        ObjectNode params = message.putObject("params");
        params.put("protocolVersion", McpRequestCheck.LATEST_PROTOCOL_VERSION);
        // what the client can answer a backend asks it in the middle of a call (McpStreamRelay, LiveQuestions)
        params.set("capabilities", call.modern().capabilities().deepCopy());
        JsonNode info = call.modern().clientInfo();
        params.set("clientInfo", info instanceof ObjectNode ? info : JsonRpc.object().put("name", "mcp-client")
                .put("version", "0"));
        asked.read(new JsonRpc.Message(message, JsonRpc.Kind.REQUEST, message.get("id"), McpMethod.INITIALIZE
                .wireName()));
        asked.caller(call.caller());
        asked.deadline(call.deadline());
        asked.attach(init);
        init.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
        try {
            producer().process(init, doneSync -> {
                Kept k;
                try {
                    k = kept(init, call.subject());
                } catch (RuntimeException e) {
                    made.completeExceptionally(e);
                    return;
                }
                initialized(call, k, made);
            });
        } catch (RuntimeException e) {
            made.completeExceptionally(e);
        }
    }

    /**
     * Tells the backends the session is initialized, as a client does next; some only then offer what depends on the
     * client's capabilities (server-everything's sampling and elicitation tools). The session is used once they took it.
     */
    private void initialized(McpCall call, Kept k, CompletableFuture<Kept> made) {
        Exchange note = new DefaultExchange(camelContext);
        McpCall told = McpCall.arrived(System.nanoTime());
        ObjectNode message = JsonRpc.notification("notifications/initialized");
        told.read(new JsonRpc.Message(message, JsonRpc.Kind.NOTIFICATION, null, "notifications/initialized"));
        told.caller(call.caller());
        told.session(k.sessionId(), sessions.open(k.sessionId(), call.subject()));
        told.deadline(call.deadline());
        told.attach(note);
        note.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
        try {
            broadcaster().process(note, doneSync -> made.complete(k));
        } catch (RuntimeException e) {
            made.complete(k);
        }
    }

    private Kept kept(Exchange init, String subject) {
        if (init.getException() != null) {
            throw new IllegalStateException("the gateway could not initialize its backends: "
                                            + init.getException().getMessage(), init.getException());
        }
        String sessionId = McpCall.of(init).sessionId();
        Object body = init.getMessage().getBody();
        try {
            JsonNode reply = JsonRpc.MAPPER.readTree(body instanceof Buffer b ? b.getBytes() : new byte[0]);
            if (sessionId == null || !(reply.path("result") instanceof ObjectNode result)) {
                throw new IllegalStateException("the gateway could not initialize its backends: "
                                                + reply.path("error").path("message").asText("no session"));
            }
            // a session without every backend (one was down) is looked at again soon, so a backend back up joins it
            Set<String> held = Set.copyOf(sessions.open(sessionId, subject).backends().keySet());
            boolean complete = held.size() >= backends.all().size();
            return new Kept(sessionId, result, held, System.currentTimeMillis()
                                                     + (complete ? renewAfterMillis : INCOMPLETE_RENEW_MILLIS));
        } catch (IOException e) {
            throw new IllegalStateException("the gateway could not initialize its backends", e);
        }
    }

    private AsyncProcessor producer() {
        AsyncProducer p = initialize;
        if (p == null) {
            p = initialize = start("direct:mcp-initialize");
        }
        return p;
    }

    private AsyncProcessor broadcaster() {
        AsyncProducer p = broadcast;
        if (p == null) {
            p = broadcast = start("direct:mcp-broadcast");
        }
        return p;
    }

    private AsyncProducer start(String uri) {
        try {
            AsyncProducer p = camelContext.getEndpoint(uri).createAsyncProducer();
            p.start();
            return p;
        } catch (Exception e) {
            throw new IllegalStateException("no route " + uri, e);
        }
    }

}
