package dev.caravan.llm;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One LLM wire API the gateway speaks, everything about it in one class: its names, the path it serves, how a request
 * is read and rewritten for a provider, how an answer reports usage, what an error looks like to its SDKs. The
 * instances are listed in {@link WireApis}; a new provider type is one subclass plus its registration there.
 */
public abstract class WireApi {

    protected static final ObjectMapper JSON = new ObjectMapper();
    protected static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final String id;
    private final String vendor;
    private final String family;

    /**
     * @param id     the access log's {@code api} and the key of the path mapping, e.g. {@code anthropic_messages}
     * @param vendor whose API it is, as its SDKs know it: the key of the forwarded headers and query parameters
     * @param family the provider kind that answers it (the route choice, the provider's {@code api}): vertex,
     *               anthropic, openai
     */
    protected WireApi(String id, String vendor, String family) {
        this.id = id;
        this.vendor = vendor;
        this.family = family;
    }

    public final String id() {
        return id;
    }

    public final String vendor() {
        return vendor;
    }

    public final String family() {
        return family;
    }

    /** gen_ai.operation.name in OpenTelemetry's GenAI conventions. */
    public String operation() {
        return "chat";
    }

    /** The Vertex AI publisher whose paths this API serves, or null for an API with a path of its own. */
    public String publisher() {
        return null;
    }

    /** Whether a request carries a JSON body (a model list does not). */
    public boolean takesBody() {
        return true;
    }

    /**
     * Whether the model is in the body: always, except on a Vertex AI path, where the path names the model unless it
     * names an endpoint ({@link #pathEndpoint}).
     */
    public boolean modelInBody(LlmRequest request) {
        return request.vertex() == null || request.vertex().modelSegment() != null;
    }

    /**
     * The endpoint a Vertex AI path names in place of a model (the model then in the body), or null for a model;
     * refuses an action the endpoint does not serve.
     */
    public String pathEndpoint(String pathModel, String action) {
        return null;
    }

    /** Whether the request streams: a Vertex AI action says so ({@code stream...}), else the body's {@code stream}. */
    public boolean streams(LlmRequest.VertexPath vertex, boolean bodyStream) {
        return vertex != null ? vertex.action().startsWith("stream") : bodyStream;
    }

    /**
     * The provider's path for the request (its query included): on a Vertex AI path the provider's project, region
     * and model, else the client's path.
     */
    public String providerPath(LlmProvider provider, LlmRequest request, String model) {
        return request.vertex() != null ? VertexPaths.of(provider, request, model)
                : request.path() + (request.query() == null ? "" : "?" + request.query());
    }

    /** Whether the gateway asks the provider for a usage report the client did not ask for (then hides it). */
    public boolean asksForUsage(LlmRequest request) {
        return false;
    }

    /** The body the provider gets: the client's, with the model replaced and the usage asked for as needed. */
    public byte[] providerBody(LlmRequest request, String model, boolean askForUsage) {
        boolean newModel = modelInBody(request) && model != null && !model.equals(request.clientModel());
        if (!newModel && !askForUsage) {
            return request.body();
        }
        try {
            ObjectNode json = (ObjectNode) JSON.readTree(request.body());
            if (newModel) {
                json.put("model", model);
            }
            if (askForUsage) {
                askForUsage(json);
            }
            return JSON.writeValueAsBytes(json);
        } catch (IOException | ClassCastException e) {
            throw new LlmException(400, "The request body is not a JSON object");
        }
    }

    /** Adds the request for a usage report to a body (only called when {@link #asksForUsage} said so). */
    protected void askForUsage(ObjectNode body) {
        throw new UnsupportedOperationException(id() + " does not ask for usage");
    }

    /** The error body its SDKs understand. */
    public abstract ObjectNode errorBody(int status, String message);

    /** The same error as one server-sent event, for a stream whose head already went out. */
    public String errorEvent(int status, String message) {
        return "data: " + errorBody(status, message) + "\n\n";
    }

    /** The top-level field of a whole answer that holds its usage, or null when the API reports none. */
    public String usageField() {
        return "usage";
    }

    /** The usage object of a whole answer (reduced to its {@link #usageField}), or null. */
    public JsonNode answerUsage(JsonNode answer) {
        return answer == null ? null : answer.get(usageField());
    }

    /** The tokens of a usage object in this API's field names. */
    public abstract Usage tokens(JsonNode usage, boolean complete);

    /** A fresh reader of one streamed answer's events. */
    public abstract StreamTap streamTap(boolean hideUsageChunk);

    /** Reads usage from the events of one SSE answer as they pass. */
    public interface StreamTap {

        /** An event passed; true when it must be kept from the client (the usage chunk the gateway asked for). */
        boolean event(String type, String data);

        /** Whether the provider's final count arrived (its last event). */
        boolean finalSeen();

        /** Whether an answer that ended normally had its final count even without a final event. */
        default boolean endIsFinal() {
            return false;
        }

        /** The usage object read so far, or null. */
        JsonNode usage() throws IOException;
    }

    /** A tap that keeps the data of the latest event carrying usage and reads the usage from it with the API's rule. */
    protected abstract class LatestEventTap implements StreamTap {

        protected String usageData;
        protected boolean finalSeen;

        @Override
        public boolean finalSeen() {
            return finalSeen;
        }

        @Override
        public JsonNode usage() throws IOException {
            return usageData == null ? null : eventUsage(JSON.readTree(usageData));
        }

        /** The usage object of the event that carried it. */
        protected JsonNode eventUsage(JsonNode event) {
            return answerUsage(event);
        }
    }

    @Override
    public String toString() {
        return id();
    }
}
