package dev.caravan.llm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a provider needs changed in a request: a Vertex AI path with the provider's project, region and model, the
 * {@code model} of a body (aliases, a fallback's model), {@code stream_options.include_usage} for an OpenAI stream.
 */
final class ProviderRewrite {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProviderRewrite() {
    }

    /** The provider's path for the request: Vertex AI paths get the provider's project, region and model. */
    static String path(LlmProvider provider, LlmRequest request, String model) {
        String query = request.query() == null ? "" : "?" + request.query();
        if (request.api().vertex()) {
            LlmRequest.VertexPath path = request.vertex();
            return "/" + path.version() + "/projects/" + provider.project() + "/locations/"
                   + provider.region() + "/publishers/" + path.publisher() + "/models/"
                   + segment(path.modelSegment() != null ? path.modelSegment() : model) + ":" + path.action() + query;
        }
        return request.path() + query;
    }

    /** A path segment: everything but unreserved characters and '@' (Vertex model versions) percent-encoded. */
    private static String segment(String value) {
        StringBuilder sb = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (Character.isLetterOrDigit(c) && c < 128 || "-._~@".indexOf(c) >= 0) {
                sb.append(c);
            } else {
                sb.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return sb.toString();
    }

    /** The body the provider gets: the client's, with the model replaced and the usage chunk asked for as needed. */
    static byte[] body(LlmRequest request, String model, boolean askForUsage) {
        boolean modelInBody = !request.api().vertex() || request.vertex().modelSegment() != null;
        boolean newModel = modelInBody && model != null && !model.equals(request.clientModel());
        if (!newModel && !askForUsage) {
            return request.body();
        }
        try {
            ObjectNode json = (ObjectNode) JSON.readTree(request.body());
            if (newModel) {
                json.put("model", model);
            }
            if (askForUsage) {
                ObjectNode options = json.path("stream_options") instanceof ObjectNode o ? o : json.putObject("stream_options");
                options.put("include_usage", true);
            }
            return JSON.writeValueAsBytes(json);
        } catch (IOException | ClassCastException e) {
            throw new LlmException(400, "The request body is not a JSON object");
        }
    }
}
