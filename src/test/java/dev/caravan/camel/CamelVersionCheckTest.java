package dev.caravan.camel;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import dev.caravan.core.StartupFailure;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CamelVersionCheckTest {

    @Test
    void theCamelOnTheClasspathIsTheOneTheWorkaroundsWereWrittenFor() {
        assertDoesNotThrow(() -> CamelVersionCheck.check(new DefaultCamelContext().getVersion()));
    }

    @Test
    void anotherReleaseLineRefusesToStartAndSaysWhatToCheck() {
        StartupFailure failure = assertThrows(StartupFailure.class, () -> CamelVersionCheck.check("4.19.0"));
        assertTrue(failure.getMessage().contains("dev.caravan.camel"), failure.getMessage());
        assertThrows(StartupFailure.class, () -> CamelVersionCheck.check("4.1.8"));
    }
}
