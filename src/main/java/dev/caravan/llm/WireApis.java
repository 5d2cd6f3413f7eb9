package dev.caravan.llm;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.caravan.core.Settings;

/**
 * The wire APIs the gateway speaks, bound once at startup: the built-in ones plus any listed by class name
 * ({@code caravan.llm.apis}), and which path each serves ({@code caravan.llm.api-paths}, {@code path: api-id; ...}).
 * Vertex AI paths belong to the API of their publisher.
 */
public final class WireApis {

    /** The paths of the built-in APIs that are not Vertex AI's. */
    public static final String DEFAULT_PATHS = "/v1/messages: anthropic_messages; /v1/chat/completions: openai_chat; "
                                               + "/v1/responses: openai_responses; /v1/models: openai_models";

    private final Map<String, WireApi> byId;
    private final Map<String, WireApi> byPublisher = new LinkedHashMap<>();
    private final Map<String, WireApi> byPath = new LinkedHashMap<>();
    private final WireApi fallback;

    /**
     * @param extraClasses class names of further APIs (each a {@link WireApi} with a public no-argument constructor)
     * @param paths        {@code path: api-id; ...}, each path served by the API of that id, its sub-paths included
     */
    public WireApis(List<String> extraClasses, String paths) {
        List<WireApi> apis = new ArrayList<>(List.of(new VertexAnthropic(), new VertexGemini(),
                new AnthropicMessages(), new OpenAiChat(), new OpenAiResponses(), new OpenAiModels()));
        for (String name : extraClasses) {
            apis.add(instance(name));
        }
        Map<String, WireApi> ids = new LinkedHashMap<>();
        for (WireApi api : apis) {
            if (ids.putIfAbsent(api.id(), api) != null) {
                throw new IllegalArgumentException("caravan.llm.apis: two APIs have the id " + api.id());
            }
            if (api.publisher() != null) {
                byPublisher.put(api.publisher(), api);
            }
        }
        byId = Map.copyOf(ids);
        for (String part : paths.split(";")) {
            if (part.isBlank()) {
                continue;
            }
            int colon = part.indexOf(':');
            String path = colon < 0 ? "" : part.substring(0, colon).strip();
            WireApi api = colon < 0 ? null : byId.get(part.substring(colon + 1).strip());
            if (!path.startsWith("/") || api == null) {
                throw new IllegalArgumentException("caravan.llm.api-paths: each part must look like '/path: <"
                                                   + String.join("|", byId.keySet()) + ">', got: " + part.strip());
            }
            byPath.put(path, api);
        }
        fallback = byId.get("openai_chat");
    }

    /** The built-in APIs at their default paths. */
    public static WireApis builtIn() {
        return new WireApis(List.of(), DEFAULT_PATHS);
    }

    /** From the comma-separated class list and the path mapping as configured. */
    public static WireApis of(String extraClasses, String paths) {
        return new WireApis(Settings.csv(extraClasses), paths);
    }

    private static WireApi instance(String name) {
        try {
            return Class.forName(name.strip()).asSubclass(WireApi.class).getConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException e) {
            Throwable cause = e instanceof InvocationTargetException i ? i.getCause() : e;
            throw new IllegalArgumentException("caravan.llm.apis: " + name.strip() + " is not a WireApi with a public "
                                               + "no-argument constructor (" + cause + ")", cause);
        }
    }

    /**
     * The API a request path belongs to, from the path alone (for refusals made before, or instead of, understanding
     * the request): Vertex AI paths by their publisher, the others by their prefix, sub-paths included
     * ({@code /v1/messages/batches} is the Anthropic API's). Null for a path of no LLM API.
     */
    public WireApi ofPath(String path) {
        if (path.startsWith("/v1/projects/") || path.startsWith("/v1beta1/projects/")) {
            return path.contains("/publishers/anthropic/") ? byPublisher.get("anthropic") : byPublisher.get("google");
        }
        for (Map.Entry<String, WireApi> served : byPath.entrySet()) {
            String prefix = served.getKey();
            if (path.equals(prefix) || path.startsWith(prefix) && path.charAt(prefix.length()) == '/') {
                return served.getValue();
            }
        }
        return null;
    }

    /** Whether the path is exactly one an API serves (its sub-paths are not served, so never forwarded). */
    public WireApi servedAt(String path) {
        return byPath.get(path);
    }

    /** The API of an id, or null. */
    public WireApi byId(String id) {
        return byId.get(id);
    }

    /** The API of a Vertex AI publisher, or null. */
    public WireApi ofPublisher(String publisher) {
        return byPublisher.get(publisher);
    }

    /** The publishers served on Vertex AI paths. */
    public List<String> publishers() {
        return List.copyOf(byPublisher.keySet());
    }

    /** The API whose errors a refusal on a path of no API speaks: OpenAI's, the most widely understood. */
    public WireApi fallback() {
        return fallback;
    }

    /** A refusal on an LLM path in its API's format (null on other paths), for the HTTP layer's own refusals. */
    public String edgeBody(String path, int status, String message) {
        WireApi api = ofPath(path);
        return api == null ? null : api.errorBody(status, message).toString();
    }

    /** A refusal in the fallback API's format: the HTTP layer's default. */
    public String defaultBody(String path, int status, String message) {
        return fallback.errorBody(status, message).toString();
    }
}
