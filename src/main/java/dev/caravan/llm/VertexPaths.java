package dev.caravan.llm;

import java.nio.charset.StandardCharsets;

/** The provider's Vertex AI path for a request: the provider's project, region and model in the client's path. */
final class VertexPaths {

    private VertexPaths() {
    }

    static String of(LlmProvider provider, LlmRequest request, String model) {
        LlmRequest.VertexPath path = request.vertex();
        return "/" + path.version() + "/projects/" + provider.project() + "/locations/"
               + provider.region() + "/publishers/" + path.publisher() + "/models/"
               + segment(path.modelSegment() != null ? path.modelSegment() : model) + ":" + path.action()
               + (request.query() == null ? "" : "?" + request.query());
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
}
