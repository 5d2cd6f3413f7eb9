package dev.caravan.auth;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Date;
import java.util.List;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import io.vertx.core.Vertx;
import org.apache.camel.impl.DefaultCamelContext;

import dev.caravan.support.TestKeys;

/**
 * What the JWT check costs per request with warm keys (bench/auth-bench.sh runs it): a token seen for the first time
 * (parse, RS256 signature, claims: what every new token costs once) and a token already verified (what an agent's
 * later requests cost). Google-like RS256 ID tokens with a realistic set of claims. Every operation is timed on its
 * own; after a warm-up the p50 and p99 of each are printed in microseconds.
 */
public final class JwtVerifyBench {

    private JwtVerifyBench() {
    }

    public static void main(String[] args) throws Exception {
        int distinct = args.length > 0 ? Integer.parseInt(args[0]) : 4000;
        RSAKey key = TestKeys.newKey();
        Path jwks = Files.createTempFile("bench-jwks", ".json");
        Files.writeString(jwks, new JWKSet(List.of(key.toPublicJWK(), TestKeys.newKey().toPublicJWK())).toString());
        Vertx vertx = Vertx.vertx();
        DefaultCamelContext camel = new DefaultCamelContext();
        camel.getRegistry().bind("vertx", vertx);
        JwtAuth auth = new JwtAuth();
        auth.setCamelContext(camel);
        auth.setIssuers("https://accounts.google.com,accounts.google.com");
        auth.setAudiences("https://gateway.example.com/mcp");
        auth.setJwksFile(jwks.toString());

        String[] tokens = new String[distinct];
        long now = System.currentTimeMillis();
        for (int i = 0; i < distinct; i++) {
            tokens[i] = TestKeys.sign(key, new JWTClaimsSet.Builder().issuer("https://accounts.google.com")
                    .audience("https://gateway.example.com/mcp").subject("1084" + i).claim("azp", "agent-" + i)
                    .claim("email", "user" + i + "@solo.io").claim("email_verified", true).claim("hd", "solo.io")
                    .claim("name", "User " + i).claim("at_hash", "x" + i).issueTime(new Date(now))
                    .expirationTime(new Date(now + 3_600_000)).build());
        }
        long sink = 0;
        for (int round = 0; round < 3; round++) { // warm-up: JIT and the key set
            for (String t : tokens) {
                sink += auth.verifyFully(t).result().getClaims().size();
                sink += auth.verify(t).result().getClaims().size();
            }
        }
        long[] first = new long[distinct * 3];
        long[] again = new long[distinct * 3];
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < distinct; i++) {
                long t0 = System.nanoTime();
                sink += auth.verifyFully(tokens[i]).result().getClaims().size();
                long t1 = System.nanoTime();
                sink += auth.verify(tokens[i]).result().getClaims().size();
                long t2 = System.nanoTime();
                first[round * distinct + i] = t1 - t0;
                again[round * distinct + i] = t2 - t1;
            }
        }
        System.out.printf("jwt_new_token_p50_us=%.1f jwt_new_token_p99_us=%.1f jwt_known_token_p50_us=%.2f "
                          + "jwt_known_token_p99_us=%.2f (RS256 2048, %d tokens x 3, sink %d)%n",
                percentile(first, 50), percentile(first, 99), percentile(again, 50), percentile(again, 99), distinct,
                sink % 10);
        vertx.close();
    }

    private static double percentile(long[] nanos, int p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, (long) sorted.length * p / 100)] / 1000.0;
    }
}
