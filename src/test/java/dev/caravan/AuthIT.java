package dev.caravan;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.Test;

import dev.caravan.support.GatewayProcess;
import dev.caravan.support.LlmHttp;
import dev.caravan.support.ManagedProcess;
import dev.caravan.support.McpHttp;
import dev.caravan.support.TestIssuer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged gateway in strict mode, configured only through environment variables the way an operator would, in
 * front of a real OIDC issuer: the official MCP TypeScript SDK client discovers how to log in from the gateway's 401
 * (RFC 9728 metadata), gets a token from the issuer and then uses every backend.
 */
class AuthIT {

    @Test
    void theTypeScriptSdkDiscoversTheIssuerFromThe401AndGetsIn() throws Exception {
        try (TestIssuer issuer = new TestIssuer(); GatewayProcess gateway = new GatewayProcess()) {
            String resource = "http://127.0.0.1:" + gateway.port + "/mcp";
            gateway.env("CARAVAN_AUTH_MODE", "strict")
                    .env("CARAVAN_AUTH_ISSUERS", issuer.issuer())
                    .env("CARAVAN_AUTH_JWKS_URL", issuer.oauth().jwksUrl(TestIssuer.ISSUER_ID).toString())
                    .env("CARAVAN_AUTH_AUTHORIZATION_SERVERS", issuer.issuer())
                    .start("gateway-strict");
            // the token the issuer hands the agent: for this gateway, for a verified address (the demo's rule)
            issuer.oauth().enqueueCallback(new DefaultOAuth2TokenCallback(TestIssuer.ISSUER_ID, "ci-agent", "JWT",
                    List.of(resource), Map.of("email", "ci-agent@solo.io", "email_verified", true), 3600));

            ManagedProcess client = ManagedProcess.start(List.of("node", "ts-auth-client.mjs", resource,
                    issuer.issuer()), Path.of("src", "test", "node"), Map.of(), "ts-auth-client", line -> false);
            assertEquals(0, client.awaitExit(60), client::output);
            String json = client.output().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow();
            JsonNode out = McpHttp.JSON.readTree(json);

            JsonNode first = out.at("/seen/0");
            assertEquals(resource, first.get("url").asText());
            assertEquals(401, first.get("status").asInt());
            assertFalse(first.get("sentToken").asBoolean());
            assertTrue(first.get("authenticate").asText().contains("resource_metadata=\"http://127.0.0.1:"
                    + gateway.port + "/.well-known/oauth-protected-resource/mcp\""), first::toString);
            List<String> urls = StreamSupport.stream(out.get("seen").spliterator(), false)
                    .map(s -> s.get("url").asText()).toList();
            assertTrue(urls.stream().anyMatch(u -> u.contains("/.well-known/oauth-protected-resource")), urls::toString);
            assertTrue(urls.stream().anyMatch(u -> u.startsWith(issuer.issuer()) && u.endsWith("/token")),
                    urls::toString);
            assertNotNull(out.get("token"));
            assertTrue(StreamSupport.stream(out.get("seen").spliterator(), false)
                    .filter(s -> s.get("url").asText().equals(resource)).skip(1)
                    .allMatch(s -> s.get("sentToken").asBoolean() && s.get("status").asInt() < 400), out::toString);

            List<String> tools = StreamSupport.stream(out.get("tools").spliterator(), false).map(JsonNode::asText)
                    .toList();
            assertEquals(List.of("knowledge-base_search_docs", "slack-conversations_search_messages",
                    "slack-conversations_summarize_channel"), tools);
            assertTrue(out.get("text").asText().contains("kagent"), out::toString);
        }
    }

    /**
     * The rules compare JSON types strictly: a token the issuer really signed, whose email_verified is the string
     * "true", does not pass {@code email_verified == true} on the MCP or the LLM listener; the same token with the
     * boolean passes.
     */
    @Test
    void aVerifiedFlagSignedAsAStringIsRefused() throws Exception {
        try (TestIssuer issuer = new TestIssuer(); GatewayProcess gateway = new GatewayProcess()) {
            gateway.env("CARAVAN_AUTH_MODE", "strict")
                    .env("CARAVAN_AUTH_ISSUERS", issuer.issuer())
                    .env("CARAVAN_AUTH_JWKS_URL", issuer.jwksUrl())
                    .start("gateway-claim-types");
            String resource = "http://127.0.0.1:" + gateway.port + "/mcp";
            String text = issuer.token(resource, Map.of("email", "mallory@solo.io", "email_verified", "true"));
            String bool = issuer.token(resource, Map.of("email", "alice@solo.io", "email_verified", true));
            // what was signed: a string in one token, a boolean in the other
            assertInstanceOf(String.class, SignedJWT.parse(text).getJWTClaimsSet().getClaim("email_verified"));
            assertInstanceOf(Boolean.class, SignedJWT.parse(bool).getJWTClaimsSet().getClaim("email_verified"));

            String initialize = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
                                + "\"protocolVersion\":\"" + McpHttp.LATEST + "\",\"capabilities\":{},"
                                + "\"clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}}";
            var refused = new McpHttp(gateway.port, text).post(initialize);
            assertEquals(403, refused.statusCode(), refused.body());
            assertEquals(200, new McpHttp(gateway.port, bool).post(initialize).statusCode());

            LlmHttp llm = new LlmHttp(gateway.port);
            String message = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":20,"
                             + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            var llmRefused = llm.post("/v1/messages", message, "anthropic-version", "2023-06-01",
                    "Authorization", "Bearer " + text);
            assertEquals(403, llmRefused.statusCode(), llmRefused.body());
            var llmAllowed = llm.post("/v1/messages", message, "anthropic-version", "2023-06-01",
                    "Authorization", "Bearer " + bool);
            assertEquals(200, llmAllowed.statusCode(), llmAllowed.body());
        }
    }
}
