package dev.caravan.mcp;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gateway session ids that carry their own state: the backend session ids, the negotiated protocol versions, the
 * subject, the issue time and what the client said at initialize, sealed with AES-GCM and base64url-encoded. Any
 * replica that has the key can route a request, so there is no session table to share, and an id that was altered,
 * sealed under another key or stolen by another user is refused. The same key seals list cursors and the ids of
 * requests backends send the client, so that neither can be forged or carried into another session.
 * <p>
 * A backend that lost its session (it restarted) is initialized again by the replica that noticed
 * ({@link McpBackendCall}); the new backend session is kept here, per replica, and merged into the session whenever
 * it is opened, because the client's id cannot change.
 */
public final class McpSessions {

    private static final Logger LOG = LoggerFactory.getLogger(McpSessions.class);
    private static final byte[] SESSION = "caravan-mcp-session-v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CURSOR = "caravan-mcp-cursor-v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REQUEST = "caravan-mcp-request-v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] QUESTION = "caravan-mcp-question-v1".getBytes(StandardCharsets.US_ASCII);
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    /**
     * A backend's side of a session: its own session id (null for stateless servers), protocol version and the
     * capabilities it declared (tools, prompts, resources, logging, completions), which decide what it is asked.
     */
    public record Backend(String sessionId, String protocolVersion, Set<String> capabilities) {
    }

    /**
     * What a gateway session id holds. {@code qualified} says whether names are prefixed with their backend's: always,
     * unless the gateway is configured to pass a single backend through unchanged. {@code client} is what the client
     * sent at initialize ({@link #clientParams}), to initialize a backend that lost its session again; null in ids
     * sealed before it was kept.
     */
    public record Session(String protocolVersion, Map<String, Backend> backends, String subject, long issuedAt,
                          boolean qualified, ObjectNode client) {

        /** The same session with one backend's side replaced. */
        public Session with(String backend, Backend held) {
            Map<String, Backend> replaced = new LinkedHashMap<>(backends);
            replaced.put(backend, held);
            return new Session(protocolVersion, replaced, subject, issuedAt, qualified, client);
        }
    }

    /** Where a client's answer to a backend's request goes: the backend, the backend session that asked, its own id. */
    public record ServerRequest(String backend, String backendSession, JsonNode id) {
    }

    /** Backend sessions this replica initialized again after their backend lost them, until the session expires. */
    private record Renewed(long expiresAt, Map<String, Backend> backends) {
    }

    /** ids ended with DELETE on this replica, until they would have expired anyway */
    private static final int MAX_ENDED = 100_000;
    /** opened ids kept to skip decryption on the next request of the same session (it was a tenth of a call's CPU) */
    private static final int MAX_OPENED = 10_000;
    /** sessions with a renewed backend session on this replica */
    private static final int MAX_RENEWED = 100_000;
    /** the longest string of the client's initialize kept in the session id (names, versions) */
    private static final int MAX_CLIENT_TEXT = 128;

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Long> ended = new ConcurrentHashMap<>();
    private final Map<String, Session> opened = new ConcurrentHashMap<>();
    private final Map<String, Renewed> renewed = new ConcurrentHashMap<>();
    private final SecretKey key;
    private final SecretKey previousKey;
    private final long ttlMillis;

    /**
     * @param key         base64 AES key (16, 24 or 32 bytes); blank generates one for this process only
     * @param previousKey base64 key still accepted when opening ids (key rotation), may be blank
     * @param ttlMillis   how long an id stays valid after initialize
     */
    public McpSessions(String key, String previousKey, long ttlMillis) {
        if (key == null || key.isBlank()) {
            LOG.warn("No caravan.mcp.session.key configured: MCP sessions are sealed with a random key and are only "
                     + "valid on this process until it restarts. Configure a key to run replicas.");
            byte[] generated = new byte[32];
            random.nextBytes(generated);
            this.key = new SecretKeySpec(generated, "AES");
        } else {
            this.key = aesKey(key, "caravan.mcp.session.key");
        }
        this.previousKey = previousKey == null || previousKey.isBlank()
                ? null : aesKey(previousKey, "caravan.mcp.session.previous-key");
        this.ttlMillis = ttlMillis;
    }

    private static SecretKey aesKey(String base64, String property) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + " is not base64");
        }
        if (bytes.length != 16 && bytes.length != 24 && bytes.length != 32) {
            throw new IllegalArgumentException(property + " must decode to 16, 24 or 32 bytes, not " + bytes.length);
        }
        return new SecretKeySpec(bytes, "AES");
    }

    public String seal(Session session) {
        ObjectNode json = JsonRpc.object();
        json.put("v", session.protocolVersion());
        ObjectNode backends = json.putObject("b");
        session.backends().forEach((name, b) -> {
            var entry = backends.putArray(name).add(b.sessionId()).add(b.protocolVersion());
            b.capabilities().forEach(entry::add);
        });
        json.put("u", session.subject());
        json.put("t", session.issuedAt());
        json.put("q", session.qualified());
        if (session.client() != null) {
            json.set("c", session.client());
        }
        return seal(JsonRpc.bytes(json), SESSION);
    }

    /**
     * What of a client's initialize params a session keeps, to initialize a backend again with them: the protocol
     * version, the capabilities the client declared for backends to use (roots, sampling, elicitation) and its name and
     * version. Bounded, since the session id travels in a header on every request.
     */
    public static ObjectNode clientParams(ObjectNode params) {
        ObjectNode kept = JsonRpc.object();
        if (params == null) {
            return kept;
        }
        kept.put("protocolVersion", bounded(params.path("protocolVersion")));
        ObjectNode capabilities = kept.putObject("capabilities");
        for (String name : new String[] {"roots", "sampling", "elicitation"}) {
            JsonNode declared = params.path("capabilities").get(name);
            if (declared instanceof ObjectNode o) {
                capabilities.set(name, JsonRpc.bytes(o).length <= 4 * MAX_CLIENT_TEXT ? o : JsonRpc.object());
            }
        }
        ObjectNode info = kept.putObject("clientInfo");
        info.put("name", bounded(params.path("clientInfo").path("name")));
        info.put("version", bounded(params.path("clientInfo").path("version")));
        return kept;
    }

    private static String bounded(JsonNode text) {
        String value = text.asText("");
        return value.length() <= MAX_CLIENT_TEXT ? value : value.substring(0, MAX_CLIENT_TEXT);
    }

    /**
     * A list cursor for the client: the cursors each backend gave for its next page, bound to the session and the
     * method, sealed like session ids so a client can neither read nor forge them.
     */
    public String sealCursor(String sessionId, String method, Map<String, String> backendCursors) {
        ObjectNode json = JsonRpc.object();
        json.put("s", digest(sessionId));
        json.put("m", method);
        ObjectNode cursors = json.putObject("c");
        backendCursors.forEach(cursors::put);
        return seal(JsonRpc.bytes(json), CURSOR);
    }

    /**
     * The per-backend cursors inside a cursor the client sent back.
     *
     * @throws McpException -32602 for a cursor that is not ours, was altered, or belongs to another session or list
     */
    public Map<String, String> openCursor(String cursor, String sessionId, String method, JsonNode requestId) {
        JsonNode json = openBound(cursor, CURSOR, sessionId);
        if (json == null || !method.equals(json.path("m").asText())) {
            throw McpException.invalidParams("Invalid params: unknown or invalid cursor", requestId);
        }
        Map<String, String> cursors = new LinkedHashMap<>();
        json.path("c").fields().forEachRemaining(e -> cursors.put(e.getKey(), e.getValue().asText()));
        return cursors;
    }

    /**
     * The id a request from a backend to the client (sampling, elicitation, roots) gets on its way out: sealed, bound
     * to the gateway session, naming the backend, the backend session that asked and the backend's own id. Only an
     * answer that carries it back reaches a backend ({@link #openServerRequest}), on any replica.
     */
    /**
     * The {@code requestState} of a backend's question the gateway holds for a 2026-07-28 client ({@link LiveQuestions}):
     * the question's key, bound to the session the gateway keeps for the client.
     */
    String sealQuestion(String sessionId, String key) {
        ObjectNode json = JsonRpc.object();
        json.put("s", digest(sessionId));
        json.put("q", key);
        return seal(JsonRpc.bytes(json), QUESTION);
    }

    /** The key inside a {@code requestState} of {@link #sealQuestion}, or null for any other text. */
    String openQuestion(String requestState, String sessionId) {
        JsonNode json = openBound(requestState, QUESTION, sessionId);
        return json == null || !json.path("q").isTextual() ? null : json.get("q").asText();
    }

    public String sealServerRequest(String sessionId, String backend, String backendSession, JsonNode backendId) {
        ObjectNode json = JsonRpc.object();
        json.put("s", digest(sessionId));
        json.put("b", backend);
        json.put("k", backendSession);
        json.set("i", backendId);
        return seal(JsonRpc.bytes(json), REQUEST);
    }

    /** Where the client's answer with this id goes, or null when no backend asked it in this session. */
    public ServerRequest openServerRequest(JsonNode clientId, String sessionId) {
        JsonNode json = clientId != null && clientId.isTextual() ? openBound(clientId.asText(), REQUEST, sessionId)
                : null;
        JsonNode id = json == null ? null : json.get("i");
        if (id == null || !json.path("b").isTextual() || !(id.isTextual() || id.isIntegralNumber())) {
            return null;
        }
        return new ServerRequest(json.get("b").asText(), json.path("k").isTextual() ? json.get("k").asText() : null,
                id);
    }

    /** The JSON sealed in {@code token} under {@code context}, if it is bound to this session; else null. */
    private JsonNode openBound(String token, byte[] context, String sessionId) {
        byte[] plain = token == null ? null : unseal(token, context);
        try {
            JsonNode json = plain == null ? null : JsonRpc.MAPPER.readTree(plain);
            return json != null && digest(sessionId).equals(json.path("s").asText()) ? json : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** A short fixed-size digest of a text (SHA-256, 132 bits in base64url). */
    static String digest(String text) {
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 22);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private String seal(byte[] plain, byte[] context) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context);
            byte[] sealed = cipher.doFinal(plain);
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal", e);
        }
    }

    /**
     * Opens a session id sent by a client.
     *
     * @throws McpException 404 when the id is not one of ours, expired or belongs to another subject
     */
    public Session open(String id, String subject) {
        if (ended.containsKey(id)) {
            throw McpException.transport(404, "Session not found: it was ended");
        }
        Session session = opened.get(id);
        if (session == null) {
            session = decode(id);
            if (opened.size() >= MAX_OPENED) {
                opened.clear();
            }
            opened.put(id, session);
        }
        if (System.currentTimeMillis() - session.issuedAt() > ttlMillis) {
            throw McpException.transport(404, "Session expired: start a new session with initialize");
        }
        if (!session.subject().equals(subject == null ? "" : subject)) {
            throw McpException.transport(404, "Session not found for this caller");
        }
        Renewed renewals = renewed.get(id);
        if (renewals != null) {
            for (Map.Entry<String, Backend> r : renewals.backends().entrySet()) {
                session = session.with(r.getKey(), r.getValue());
            }
        }
        return session;
    }

    /** The backend session this replica renewed for {@code backend} in session {@code id}, or null. */
    public Backend renewed(String id, String backend) {
        Renewed renewals = renewed.get(id);
        return renewals == null ? null : renewals.backends().get(backend);
    }

    /**
     * Keeps the backend session that replaced one its backend lost, for the rest of the session on this replica.
     *
     * @return the session with the new backend session
     */
    public Session renew(String id, Session session, String backend, Backend held) {
        long now = System.currentTimeMillis();
        if (renewed.size() >= MAX_RENEWED) {
            renewed.values().removeIf(r -> r.expiresAt() < now);
            if (renewed.size() >= MAX_RENEWED) {
                // the sessions dropped here initialize their backend again when they next need it
                renewed.clear();
            }
        }
        renewed.compute(id, (k, old) -> {
            Map<String, Backend> backends = new ConcurrentHashMap<>(old == null ? Map.of() : old.backends());
            backends.put(backend, held);
            return new Renewed(session.issuedAt() + ttlMillis, backends);
        });
        return session.with(backend, held);
    }

    Session decode(String id) {
        byte[] plain = unseal(id, SESSION);
        if (plain == null) {
            throw McpException.transport(404, "Session not found: unknown or invalid Mcp-Session-Id");
        }
        JsonNode json;
        try {
            json = JsonRpc.MAPPER.readTree(plain);
        } catch (java.io.IOException e) {
            throw McpException.transport(404, "Session not found: unknown or invalid Mcp-Session-Id");
        }
        Map<String, Backend> backends = new LinkedHashMap<>();
        json.path("b").fields().forEachRemaining(e -> {
            JsonNode entry = e.getValue();
            Set<String> capabilities = new TreeSet<>();
            for (int i = 2; i < entry.size(); i++) {
                capabilities.add(entry.get(i).asText());
            }
            backends.put(e.getKey(), new Backend(entry.path(0).isNull() ? null : entry.path(0).asText(),
                    entry.path(1).asText(null), capabilities));
        });
        return new Session(json.path("v").asText(), backends, json.path("u").asText(""), json.path("t").asLong(),
                json.path("q").asBoolean(true), json.get("c") instanceof ObjectNode c ? c : null);
    }

    /**
     * Marks a session as ended by its client. Other replicas learn it from the backends, which no longer know their
     * sessions; this replica also refuses calls that would only reach stateless backends.
     */
    public void end(String id, Session session) {
        long now = System.currentTimeMillis();
        if (ended.size() >= MAX_ENDED) {
            ended.values().removeIf(expiry -> expiry < now);
        }
        if (ended.size() < MAX_ENDED) {
            ended.put(id, session.issuedAt() + ttlMillis);
        }
        opened.remove(id);
        renewed.remove(id);
    }

    private byte[] unseal(String id, byte[] context) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(id);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (raw.length <= NONCE_BYTES + TAG_BITS / 8) {
            return null;
        }
        byte[] plain = unseal(raw, key, context);
        return plain != null || previousKey == null ? plain : unseal(raw, previousKey, context);
    }

    private static byte[] unseal(byte[] raw, SecretKey key, byte[] context) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, raw, 0, NONCE_BYTES));
            cipher.updateAAD(context);
            return cipher.doFinal(raw, NONCE_BYTES, raw.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            return null;
        }
    }
}
