package dev.caravan.proxy;

/** A call to a backend or provider that did not produce an answer. Its message never holds credentials or bodies. */
public final class UpstreamException extends Exception {

    /** What went wrong, for metrics and for the status the client gets. */
    public enum Kind {
        /** no connection could be made */
        CONNECT,
        /** the whole call took longer than allowed */
        TIMEOUT,
        /** the upstream went silent longer than allowed */
        IDLE,
        /** the connection broke or the answer was not understood */
        PROTOCOL,
        /** the answer was larger than the gateway buffers */
        TOO_LARGE,
        /** the client went away, so the call was abandoned */
        CLIENT_GONE,
        /** the upstream's configuration is incomplete (a credential that cannot be read) */
        CONFIG,
        /** the request could not be sent as it is (a header or URL HTTP does not allow); the upstream was not called */
        REQUEST
    }

    private final String upstream;
    private final Kind kind;

    public UpstreamException(String upstream, Kind kind, String message) {
        super(upstream + ": " + message, null, false, false);
        this.upstream = upstream;
        this.kind = kind;
    }

    public String upstream() {
        return upstream;
    }

    public Kind kind() {
        return kind;
    }
}
