package dev.caravan.llm;

import java.util.Map;

import io.vertx.core.Future;

/**
 * The credential a provider adds to each call besides its configured headers: none (an API key is a configured
 * header), or a Google access token (from a service account key file, else the metadata server; refreshed before it
 * expires).
 */
interface ProviderCredential {

    ProviderCredential NONE = () -> Future.succeededFuture(Map.of());

    /** The headers of the credential for one call. */
    Future<Map<String, String>> headers();

    static ProviderCredential of(String auth, String serviceAccountFile, GoogleAccessTokens google) {
        return switch (auth == null || auth.isBlank() ? "none" : auth.strip()) {
            case "none" -> NONE;
            case "google" -> () -> google.token(serviceAccountFile)
                    .map(token -> Map.of("Authorization", "Bearer " + token));
            default -> throw new IllegalArgumentException("auth must be none or google, not " + auth);
        };
    }
}
