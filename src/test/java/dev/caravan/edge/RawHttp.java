package dev.caravan.edge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * An HTTP/1.1 client on a plain socket that sends request targets, header values and bodies exactly as given,
 * including what {@code java.net.http} refuses to send (an undecodable escape such as {@code %zz}): hostile clients
 * are not that polite. One connection per request ({@code Connection: close}), read to its end within a deadline, so
 * that no request depends on what an earlier one left on a shared connection.
 */
final class RawHttp {

    /** An answer: status, headers and body (de-chunked). */
    record Answer(int status, MultiMap headers, Buffer body) {
        String text() {
            return body.toString(StandardCharsets.UTF_8);
        }
    }

    private final int port;

    RawHttp(int port) {
        this.port = port;
    }

    Answer send(String method, String target, MultiMap headers, Buffer body, Duration within) throws IOException,
            TimeoutException {
        return send(method, target, headers, body, within, StandardCharsets.UTF_8);
    }

    /** The same, with header values written byte for byte (each char one byte), as a client may send raw bytes. */
    Answer sendLatin1(String method, String target, MultiMap headers, Buffer body, Duration within)
            throws IOException, TimeoutException {
        return send(method, target, headers, body, within, StandardCharsets.ISO_8859_1);
    }

    /** Writes bytes exactly as given and returns everything the server sent until it closed (or the deadline). */
    static String exchange(int port, byte[] wire, Duration within) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) within.toMillis());
            socket.getOutputStream().write(wire);
            socket.getOutputStream().flush();
            try {
                return new String(readAll(socket, System.nanoTime() + within.toNanos()), StandardCharsets.ISO_8859_1);
            } catch (TimeoutException e) {
                return e.getMessage(); // a connection left open: what came so far is in the message
            }
        }
    }

    private Answer send(String method, String target, MultiMap headers, Buffer body, Duration within,
                        java.nio.charset.Charset headerBytes) throws IOException, TimeoutException {
        long deadline = System.nanoTime() + within.toNanos();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) within.toMillis());
            StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(port).append("\r\nConnection: close\r\nContent-Length: ")
                    .append(body.length()).append("\r\n");
            headers.forEach(h -> head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n"));
            OutputStream out = socket.getOutputStream();
            out.write(head.append("\r\n").toString().getBytes(headerBytes));
            out.write(body.getBytes());
            out.flush();
            return parse(readAll(socket, deadline), method.equals("HEAD"));
        }
    }

    private static byte[] readAll(Socket socket, long deadline) throws IOException, TimeoutException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] chunk = new byte[8192];
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new TimeoutException("no complete answer in time; so far: " + all);
            }
            socket.setSoTimeout((int) left);
            int n;
            try {
                n = in.read(chunk);
            } catch (SocketTimeoutException e) {
                throw new TimeoutException("no complete answer in time; so far: " + all);
            }
            if (n < 0) {
                return all.toByteArray();
            }
            all.write(chunk, 0, n);
        }
    }

    private static Answer parse(byte[] raw, boolean head) throws IOException {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IOException("not an HTTP answer: " + text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.add(lines[i].substring(0, colon).strip(), lines[i].substring(colon + 1).strip());
        }
        Buffer body = Buffer.buffer();
        if (!head) {
            int from = end + 4;
            if ("chunked".equalsIgnoreCase(headers.get("Transfer-Encoding"))) {
                while (true) {
                    int eol = text.indexOf("\r\n", from);
                    int size = Integer.parseInt(text.substring(from, eol).split(";")[0].strip(), 16);
                    if (size == 0) {
                        break;
                    }
                    body.appendBytes(raw, eol + 2, size);
                    from = eol + 2 + size + 2;
                }
            } else {
                body.appendBytes(raw, from, raw.length - from);
            }
        }
        return new Answer(status, headers, body);
    }
}
