package dev.caravan.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** A blocking send for test clients, with the checked exceptions turned into unchecked ones. */
public final class Http {

    // HTTP/1.1 as Prometheus and probes speak it: the JDK client's default h2c upgrade, shared across test classes,
    // once read a scrape's HTTP/1 text as HTTP/2 frames (ProtocolException: Frame type(115) exceeds MAX_FRAME_SIZE)
    private static final HttpClient DEFAULT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Http() {
    }

    public static <T> HttpResponse<T> send(HttpClient client, HttpRequest request, HttpResponse.BodyHandler<T> body) {
        try {
            return client.send(request, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A GET or a prepared request with a default client, the answer as text. */
    public static HttpResponse<String> send(HttpRequest request) {
        return send(DEFAULT, request, HttpResponse.BodyHandlers.ofString());
    }
}
