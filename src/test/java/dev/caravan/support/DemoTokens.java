package dev.caravan.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Tokens from the demo issuer of a gateway started in this JVM, as the README's curl gets one. */
public final class DemoTokens {

    private DemoTokens() {
    }

    /** A token for these form fields, e.g. {@code email=alice@solo.io}. */
    public static String token(String form) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                            "http://127.0.0.1:" + System.getProperty("caravan.demo.issuer.port") + "/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("demo issuer answered " + r.statusCode() + ": " + r.body());
            }
            return McpHttp.JSON.readTree(r.body()).get("access_token").asText();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
