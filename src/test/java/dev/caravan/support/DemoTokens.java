package dev.caravan.support;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Tokens from the demo issuer of a gateway started in this JVM, as the README's curl gets one. */
public final class DemoTokens {

    private DemoTokens() {
    }

    /** A token for these form fields, e.g. {@code email=alice@solo.io}. */
    public static String token(String form) {
        return token(Integer.parseInt(System.getProperty("caravan.demo.issuer.port")), form);
    }

    /** A token from the demo issuer on {@code port}. */
    public static String token(int port, String form) {
        HttpResponse<String> r = Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("demo issuer answered " + r.statusCode() + ": " + r.body());
        }
        try {
            return McpHttp.JSON.readTree(r.body()).get("access_token").asText();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
