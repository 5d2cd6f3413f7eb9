package dev.caravan.proxy;

/**
 * How a kind of traffic words an error the HTTP layer answers before any route ran ({@link EdgeRefusal}): the LLM
 * and MCP packages register theirs at startup, so that this layer needs to know neither.
 */
@FunctionalInterface
public interface ErrorShape {

    /** The JSON error body for a refusal on {@code path}, or null when the path is not of this traffic. */
    String body(String path, int status, String message);
}
