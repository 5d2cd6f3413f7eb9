package dev.caravan.auth;

/**
 * A request refused by an auth policy: 401 (who are you) or 403 (not allowed). Listener routes render it in their
 * protocol; {@link #wwwAuthenticate()} goes out as the {@code WWW-Authenticate} header when not null. The message is
 * safe to show the client: it never holds a token or a secret.
 */
public final class AuthFailure extends RuntimeException {

    private final int status;
    private final String reason;
    private final String wwwAuthenticate;

    public AuthFailure(int status, String reason, String message, String wwwAuthenticate) {
        super(message, null, false, false);
        this.status = status;
        this.reason = reason;
        this.wwwAuthenticate = wwwAuthenticate;
    }

    public int status() {
        return status;
    }

    /** A short label for metrics: missing_token, invalid_token, insufficient_scope, denied. */
    public String reason() {
        return reason;
    }

    public String wwwAuthenticate() {
        return wwwAuthenticate;
    }
}
