package dev.caravan.camel;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.TypeConverter;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.camel.support.MessageHelper;
import org.apache.camel.support.ObjectHelper;
import org.apache.camel.support.http.HttpUtil;

/**
 * Writes a reply the gateway built itself (a Buffer, byte[] or String body, no exception) straight to the Vert.x
 * response, as Camel's platform-http writer (VertxPlatformHttpSupport.writeResponse, 4.18) would: the status from
 * {@link Exchange#HTTP_RESPONSE_CODE} (Camel's own rule for the default), the message headers the endpoint's filter
 * lets out, Content-Type from the message. Unlike Camel's writer it sends a Content-Length where Camel chunks every body
 * that is not a byte[] (a reply the gateway holds whole needs no chunked framing), and it takes no type-converter,
 * iterator or promise detour for the plain String headers the reply processors set. Other replies (no body, a
 * stream, an exception) stay with Camel's writer.
 */
final class ReplyWriter {

    private ReplyWriter() {
    }

    /** Whether this writer takes the exchange's reply; else Camel's writer must. */
    static boolean takes(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        return exchange.getException() == null
               && (body instanceof Buffer || body instanceof byte[] || body instanceof String);
    }

    /** Writes the reply of an exchange this writer {@link #takes}. */
    static Future<Void> write(RoutingContext ctx, Exchange exchange, HeaderFilterStrategy filter) {
        Message message = exchange.getMessage();
        Buffer body = buffer(message.getBody());
        HttpServerResponse response = ctx.response();
        response.setStatusCode(HttpUtil.determineResponseCode(exchange, message.getBody()));
        if (filter != null) {
            Map<String, String> pathParams = ctx.pathParams();
            TypeConverter converter = null;
            for (Map.Entry<String, Object> header : message.getHeaders().entrySet()) {
                String name = header.getKey();
                Object value = header.getValue();
                if (pathParams.containsKey(name)) {
                    continue;
                }
                if (value instanceof String text) {
                    if (!filter.applyFilterToCamelHeaders(name, text, exchange)) {
                        response.putHeader(name, text);
                    }
                } else {
                    // lists, numbers and the like: Camel's own conversion, value by value
                    converter = converter != null ? converter : exchange.getContext().getTypeConverter();
                    HttpUtil.applyHeader(filter, exchange, ObjectHelper.createIterator(value, null, true), converter,
                            name, (values, first) -> {
                                if (values != null) {
                                    response.putHeader(name, values);
                                } else if (first != null) {
                                    response.putHeader(name, first);
                                }
                            });
                }
            }
        }
        response.putHeader("Content-Length", String.valueOf(body.length()));
        String contentType = MessageHelper.getContentType(message);
        if (contentType != null) {
            response.putHeader("Content-Type", contentType); // spelt as Camel spells it
        }
        return response.end(body);
    }

    private static Buffer buffer(Object body) {
        if (body instanceof Buffer b) {
            return b;
        }
        return Buffer.buffer(Unpooled.wrappedBuffer(body instanceof byte[] bytes ? bytes
                : ((String) body).getBytes(StandardCharsets.UTF_8)));
    }
}
