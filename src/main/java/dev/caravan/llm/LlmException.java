package dev.caravan.llm;

/**
 * A refusal or failure the gateway itself answers on an LLM route; {@link WireApi#errorBody} renders it in the error format
 * of the API the client speaks. The message is safe to show: no token, secret or body in it.
 */
public final class LlmException extends RuntimeException {

    private final int status;

    public LlmException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
