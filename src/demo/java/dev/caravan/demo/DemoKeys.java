package dev.caravan.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * The demo's provider keys: throwaway values made on the first start, never in git. The stub provider takes any
 * non-empty key, so they only show that the gateway swaps the caller's credential for the configured one.
 */
final class DemoKeys {

    private static final SecureRandom RANDOM = new SecureRandom();

    private DemoKeys() {
    }

    /** Writes a random key to {@code dir/<name>} for each name that has none yet; existing keys are kept. */
    static void generate(Path dir, List<String> names) throws IOException {
        Files.createDirectories(dir);
        for (String name : names) {
            Path key = dir.resolve(name);
            if (Files.exists(key)) {
                continue;
            }
            byte[] bytes = new byte[24];
            RANDOM.nextBytes(bytes);
            // written beside the key and moved into place, so a gateway starting at the same time never reads half
            Path partial = Files.createTempFile(dir, name, ".tmp");
            Files.writeString(partial, "demo-" + HexFormat.of().formatHex(bytes) + "\n", StandardCharsets.UTF_8);
            if (Files.getFileStore(partial).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));
            }
            Files.move(partial, key, StandardCopyOption.ATOMIC_MOVE);
        }
    }
}
