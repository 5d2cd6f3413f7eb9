package dev.caravan.mcp;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProducer;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.service.ServiceHelper;

import dev.caravan.proxy.ResponseRelay;
import dev.caravan.proxy.UpstreamCall;
import dev.caravan.telemetry.Traces;

/**
 * A multi round-trip request of a backend of MCP 2026-07-28 ({@code input_required}) made for a client with a session,
 * which knows only requests from the server: the gateway answers the client's call with an event stream, asks the
 * client each question as a request of its own on it (its id sealed for the session, like a backend's request), and
 * once every answer came back (the client POSTs them, {@link McpAnswerRouter}) repeats the call to the backend with
 * them ({@code inputResponses}, its {@code requestState} as given, a new id); the backend's final answer ends the
 * stream, a new question starts another round (at most {@value #MAX_ROUNDS}). What waits for the answers lives on the
 * replica that asked, so a client's answers must reach it (sticky sessions when replicas share a client).
 */
public final class InputBridge {

    static final int MAX_ROUNDS = 10;
    /** questions of one round: more is not a person being asked, and each holds a sealed id and a map entry */
    static final int MAX_QUESTIONS = 16;
    /** what a question (of either generation) needs the client to have declared */
    private static final Map<String, String> NEEDS = Map.of("elicitation/create", "elicitation",
            "sampling/createMessage", "sampling", "roots/list", "roots");

    private final Vertx vertx;
    private final McpSessions sessions;
    private final Traces traces;
    private final long answerTimeoutMillis;
    /** the rounds waiting for answers, by the key of each question */
    private final Map<String, Round> waiting = new ConcurrentHashMap<>();

    /** @param answerTimeoutMillis how long the client has to answer a round's questions */
    public InputBridge(Vertx vertx, McpSessions sessions, Traces traces, long answerTimeoutMillis) {
        this.vertx = vertx;
        this.sessions = sessions;
        this.traces = traces;
        this.answerTimeoutMillis = answerTimeoutMillis;
    }

    /** The client capability a question needs, or null for a method that is no question a client can be asked. */
    static String needs(String method) {
        return NEEDS.get(method);
    }

    /** Whether the client of the exchange's session declared what every question of {@code result} needs. */
    static boolean canAsk(McpCall call, ObjectNode result) {
        JsonNode declared = call.session().client() == null ? null : call.session().client().path("capabilities");
        if (declared == null || !(result.get("inputRequests") instanceof ObjectNode requests) || requests.isEmpty()
                || requests.size() > MAX_QUESTIONS) {
            return false;
        }
        for (JsonNode question : requests) {
            String needs = NEEDS.get(question.path("method").asText());
            if (needs == null || !declared.has(needs)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Starts the round trips for the call of {@code exchange}, whose backend answered {@code result}; {@code done} runs
     * when the client's stream is over.
     */
    void start(Exchange exchange, ObjectNode result, AsyncCallback done) {
        McpCall call = McpCall.of(exchange);
        HttpServerResponse client = UpstreamCall.clientResponse(exchange);
        if (client.closed() || client.ended()) {
            // gone already: nobody to ask, and no close to wait for
            done.done(false);
            return;
        }
        if (!client.headWritten()) {
            McpStreamRelay.streamHead(client, call.clientSessionId());
            client.setChunked(true);
        }
        new Conversation(exchange, call, client, done).ask(result, 1);
    }

    /**
     * The client's answer to a question of a round ({@code key} from the id the gateway sealed); false when no round
     * waits for it (answered already, timed out, or asked by another replica).
     */
    boolean answered(String key, JsonRpc.Message answer) {
        Round round = waiting.remove(key);
        if (round == null) {
            return false;
        }
        round.answered(key, answer.json());
        return true;
    }

    /** How many questions wait for the client's answer. */
    int waiting() {
        return waiting.size();
    }

    /** One call's round trips. All its steps run on the client request's event loop. */
    private final class Conversation {

        private final Exchange exchange;
        private final McpCall call;
        private final HttpServerResponse client;
        private final AsyncCallback done;
        private final Context context = Vertx.currentContext();
        /** the round waiting for the client's answers, if one does */
        private Round asking;
        private boolean over;

        Conversation(Exchange exchange, McpCall call, HttpServerResponse client, AsyncCallback done) {
            this.exchange = exchange;
            this.call = call;
            this.client = client;
            this.done = done;
            client.closeHandler(v -> finish(null));
        }

        /** Asks the client the questions of {@code result}, round {@code number}. */
        void ask(ObjectNode result, int number) {
            if (number > MAX_ROUNDS) {
                finish(error("the server asked for input more than " + MAX_ROUNDS + " times"));
                return;
            }
            if (!canAsk(call, result)) {
                // a later round is the backend's to write as it likes: none of it reaches a client that cannot answer
                finish(error("the server asked for input the client cannot give"));
                return;
            }
            Round round = new Round(this, result, number);
            asking = round;
            StringBuilder events = new StringBuilder();
            result.get("inputRequests").fields().forEachRemaining(q -> {
                String key = UUID.randomUUID().toString();
                round.keys.put(key, q.getKey());
                waiting.put(key, round);
                ObjectNode request = JsonRpc.request(TextNode.valueOf(sessions.sealServerRequest(call.sessionId(),
                        call.backend(), null, TextNode.valueOf(key))), q.getValue().get("method").asText());
                if (q.getValue().has("params")) {
                    request.set("params", q.getValue().get("params"));
                }
                events.append("data: ").append(request).append("\n\n");
            });
            round.timer = vertx.setTimer(answerTimeoutMillis,
                    t -> finish(error("the client did not answer the server's questions in time")));
            client.write(events.toString());
        }

        /** Repeats the call to the backend with the answers of a round. */
        void retry(Round round) {
            ObjectNode message = call.message().json().deepCopy();
            message.put("id", call.message().id().asText() + "-input-" + round.number);
            ObjectNode params = (ObjectNode) message.get("params");
            params.set("inputResponses", round.answers);
            if (round.result.has("requestState")) {
                params.set("requestState", round.result.get("requestState"));
            } else {
                params.remove("requestState");
            }
            JsonRpc.Message repeated = new JsonRpc.Message(message, JsonRpc.Kind.REQUEST, message.get("id"),
                    call.message().method());
            Exchange again = new DefaultExchange(exchange.getContext());
            call.forBackend(call.backend()).read(repeated).attach(again);
            again.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
            McpBackendRequest.prepare(again, call.backend(), message, traces);
            try {
                AsyncProducer producer = call.backendEndpoint().createAsyncProducer();
                ServiceHelper.startService(producer);
                producer.process(again, doneSync -> McpBackendCall.onContext(this.context, () -> {
                    ServiceHelper.stopService(producer);
                    answered(again, repeated, round.number);
                }));
            } catch (Exception e) {
                finish(error("the gateway could not repeat the call: " + e.getClass().getSimpleName()));
            }
        }

        private void answered(Exchange again, JsonRpc.Message repeated, int number) {
            if (over) {
                // the client left while the backend answered: nothing more to ask it
                return;
            }
            BackendAnswer answer = BackendAnswer.of(again, repeated.id());
            if (!answer.ok()) {
                finish(JsonRpc.backendError(call.message().id(), call.backend(), answer.failure()));
                return;
            }
            ObjectNode result = answer.result();
            if (ModernBackend.INPUT_REQUIRED.equals(result.path("resultType").asText())) {
                ask(result, number + 1);
                return;
            }
            ObjectNode response = JsonRpc.result(call.message().id(), result);
            if (call.session().qualified()) {
                McpNames.qualifyResourceUris(call.backend(), call.message().method(), response);
            }
            ModernBackend.answer(call.backend(), false, call.session().qualified(), response);
            finish(response);
        }

        private ObjectNode error(String why) {
            return JsonRpc.backendError(call.message().id(), call.backend(), call.backend() + ": " + why);
        }

        /**
         * Ends the client's stream with {@code last} (nothing when the client is gone) and the exchange; the round that
         * waited, if any, waits no more.
         */
        void finish(ObjectNode last) {
            if (over) {
                return;
            }
            over = true;
            if (asking != null) {
                vertx.cancelTimer(asking.timer);
                asking.keys.keySet().forEach(waiting::remove);
            }
            if (last != null && last.has("error")) {
                call.error(last.path("error").path("code").asInt(), last.path("error").path("message").asText());
            }
            ResponseRelay.endWith(client, last == null ? null : Buffer.buffer("data: " + last + "\n\n"));
            done.done(false);
        }
    }

    /** The questions of one round, and the answers that came back. */
    private final class Round {

        private final Conversation conversation;
        private final ObjectNode result;
        private final int number;
        /** the gateway's key of each question, and the backend's */
        private final Map<String, String> keys = new ConcurrentHashMap<>();
        private final ObjectNode answers = JsonRpc.object();
        private long timer;

        Round(Conversation conversation, ObjectNode result, int number) {
            this.conversation = conversation;
            this.result = result;
            this.number = number;
        }

        /** On the client's answer's event loop: handed to the conversation's own. */
        void answered(String key, ObjectNode answer) {
            McpBackendCall.onContext(conversation.context, () -> {
                String backendKey = keys.remove(key);
                if (backendKey == null || conversation.over) {
                    return;
                }
                // an error answer (the client refused) leaves the question unanswered: the backend asks again or not
                if (answer.get("result") instanceof ObjectNode given) {
                    answers.set(backendKey, given);
                }
                if (keys.isEmpty()) {
                    vertx.cancelTimer(timer);
                    conversation.asking = null;
                    conversation.retry(this);
                }
            });
        }
    }
}
