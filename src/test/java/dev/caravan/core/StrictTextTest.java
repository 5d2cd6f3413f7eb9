package dev.caravan.core;

import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Strict decoding: what RFC 3629 calls UTF-8, and percent-encoded text that decodes to printable characters. */
class StrictTextTest {

    private static boolean jdkStrict(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Bytes that are often almost UTF-8: valid sequences, lead bytes, continuation bytes and anything else. */
    @Provide
    Arbitrary<byte[]> utf8ish() {
        Arbitrary<byte[]> codePoint = Arbitraries.integers().between(0, 0x10ffff)
                .filter(cp -> cp < 0xd800 || cp > 0xdfff)
                .map(cp -> new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> special = Arbitraries.of(0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4,
                0xf5, 0xf8, 0xfc, 0xfe, 0xff, 0x9f, 0xa0, 0x8f, 0x90).map(b -> new byte[] {(byte) (int) b});
        Arbitrary<byte[]> any = Arbitraries.bytes().map(b -> new byte[] {b});
        return Arbitraries.frequencyOf(Tuple.of(4, codePoint), Tuple.of(3, special), Tuple.of(1, any))
                .list().ofMaxSize(12).map(parts -> {
                    ByteBuffer all = ByteBuffer.allocate(parts.stream().mapToInt(p -> p.length).sum());
                    parts.forEach(all::put);
                    return all.array();
                });
    }

    @Property(tries = 2000)
    void agreesWithTheJdksStrictDecoder(@ForAll("utf8ish") byte[] bytes) {
        assertEquals(jdkStrict(bytes), StrictText.utf8(bytes), () -> HexFormat.of().formatHex(bytes));
    }

    @Property(tries = 300)
    void everyScalarValueIsAccepted(@ForAll String text) {
        String wellFormed = text.codePoints().filter(cp -> cp < 0xd800 || cp > 0xdfff)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        assertTrue(StrictText.utf8(wellFormed.getBytes(StandardCharsets.UTF_8)));
    }

    @Example
    void refusesWhatLenientDecodersRepair() {
        for (String hex : new String[] {"c0af", "e080af", "f08080af", "eda080", "edbfbf", "c3", "e282", "f09f98",
                "f888808080", "fc8480808080", "f4908080", "80", "bf", "fe", "ff", "41c3"}) {
            assertFalse(StrictText.utf8(HexFormat.of().parseHex(hex)), hex);
        }
        for (String hex : new String[] {"", "2f", "c3a9", "e697a5", "f09f9a80", "f48fbfbf", "ed9fbf", "ee8080"}) {
            assertTrue(StrictText.utf8(HexFormat.of().parseHex(hex)), hex);
        }
    }

    @Property(tries = 300)
    void percentEncodedPrintableTextDecodesBack(@ForAll String text) {
        boolean printable = StrictText.printable(text) && StrictText.utf8(text.getBytes(StandardCharsets.UTF_8));
        String decoded = StrictText.percentDecoded(URLEncoder.encode(text, StandardCharsets.UTF_8), true);
        assertEquals(printable ? text : null, decoded);
    }

    @Example
    void percentDecodingRefusesControlsAndBrokenEscapes() {
        assertEquals("claude-sonnet-4-6@20260101", StrictText.percentDecoded("claude-sonnet-4-6%4020260101", false));
        assertEquals("a+b", StrictText.percentDecoded("a+b", false));
        assertEquals("a b", StrictText.percentDecoded("a+b", true));
        for (String raw : new String[] {"a%00", "a%0A", "a%0d", "%7F", "%C2%85", "%E2%80%AE", "%C0%AF", "%ED%A0%80",
                "%zz", "%4", "%", "a b", "a\u00e9", "%\uff11\uff11", "%F0%9F%98"}) {
            assertNull(StrictText.percentDecoded(raw, true), raw);
        }
    }
}
