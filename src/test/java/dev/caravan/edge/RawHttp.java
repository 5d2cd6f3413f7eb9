package dev.caravan.edge;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * An HTTP client that sends request targets, header values and bodies exactly as given, including what
 * {@code java.net.http} refuses to send (an undecodable escape such as {@code %zz}): hostile clients are not that
 * polite. Each answer is read whole, within a deadline.
 */
final class RawHttp implements AutoCloseable {

    /** An answer: status, headers and body. */
    record Answer(int status, MultiMap headers, Buffer body) {
        String text() {
            return body.toString();
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient client;

    RawHttp(int port) {
        client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
                .setConnectTimeout(5000));
    }

    Answer send(String method, String target, MultiMap headers, Buffer body, Duration within) throws Exception {
        return client.request(new RequestOptions().setMethod(HttpMethod.valueOf(method)).setURI(target)
                        .setHeaders(headers).setIdleTimeout(within.toMillis()))
                .compose(request -> request.send(body))
                .compose(response -> response.body().map(b -> new Answer(response.statusCode(), response.headers(), b)))
                .toCompletionStage().toCompletableFuture().get(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
