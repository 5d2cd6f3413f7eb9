package dev.caravan.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretsTest {

    @TempDir
    Path dir;

    @Test
    void aReferenceResolvesToTheFileElseTheEnvironment() throws Exception {
        Files.writeString(dir.resolve("kb-token"), "from-file\n");
        Secrets secrets = new Secrets(dir, Map.of("CARAVAN_SECRET_VERTEX_KEY", "from-env",
                "CARAVAN_SECRET_KB_TOKEN", "shadowed"), 0);
        String reference = secrets.apply("kb-token");
        assertEquals("[[secret:kb-token]]", reference);
        assertEquals("Bearer from-file", secrets.resolve("Bearer " + reference));
        assertEquals("from-env and from-file", secrets.resolve(secrets.apply("vertex.key") + " and " + reference));
        assertEquals("no secret here", secrets.resolve("no secret here"));
    }

    @Test
    void aRotatedFileIsReadAgainAfterTheInterval() throws Exception {
        Files.writeString(dir.resolve("k"), "one");
        Secrets everyTime = new Secrets(dir, Map.of(), 0);
        Secrets hourly = new Secrets(dir, Map.of(), 3_600_000);
        assertEquals("one", everyTime.resolve("[[secret:k]]"));
        assertEquals("one", hourly.resolve("[[secret:k]]"));
        Files.writeString(dir.resolve("k"), "two");
        assertEquals("two", everyTime.resolve("[[secret:k]]"));
        assertEquals("one", hourly.resolve("[[secret:k]]"), "read again before its interval");
    }

    /**
     * A secret from the environment is looked for on disk once per interval, not on every request (each miss cost a
     * failed file read and an exception on the request path); a file that appears later is still picked up then.
     */
    @Test
    void aSecretFromTheEnvironmentIsKeptForTheIntervalLikeAFile() throws Exception {
        Secrets everyTime = new Secrets(dir, Map.of("CARAVAN_SECRET_K", "env"), 0);
        Secrets hourly = new Secrets(dir, Map.of("CARAVAN_SECRET_K", "env"), 3_600_000);
        assertEquals("env", everyTime.resolve("[[secret:k]]"));
        assertEquals("env", hourly.resolve("[[secret:k]]"));
        Files.writeString(dir.resolve("k"), "file");
        assertEquals("file", everyTime.resolve("[[secret:k]]"));
        assertEquals("env", hourly.resolve("[[secret:k]]"), "looked on disk again before its interval");
    }

    @Test
    void aMissingSecretIsAnErrorThatNamesItButNoValue() {
        Secrets secrets = new Secrets(dir, Map.of(), 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> secrets.resolve("[[secret:gone]]"));
        assertTrue(e.getMessage().contains("secret gone"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> secrets.apply("../etc/passwd"));
        assertFalse(secrets.apply("ok_name-1.2").isEmpty());
    }
}
