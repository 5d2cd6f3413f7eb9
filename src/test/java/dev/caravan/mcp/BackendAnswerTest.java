package dev.caravan.mcp;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a backend's refusal tells the operator. */
class BackendAnswerTest {

    @Test
    void aRefusalSaysItsJsonRpcErrorAndTheVersionsTheServerSpeaks() {
        byte[] onlyNew = ("{\"jsonrpc\":\"2.0\",\"id\":0,\"error\":{\"code\":-32022,\"message\":\"Unsupported protocol "
                          + "version\",\"data\":{\"supported\":[\"2026-07-28\"],\"requested\":\"2025-11-25\"}}}")
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(" (error -32022 Unsupported protocol version, supported: [\"2026-07-28\"])",
                BackendAnswer.refusal(onlyNew));
        assertEquals("", BackendAnswer.refusal("<html>Bad Request</html>".getBytes(StandardCharsets.UTF_8)));
        assertEquals("", BackendAnswer.refusal(null));
    }
}
