package dev.caravan.core;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Strict decoding of what clients send. Java's and Jackson's decoders are lenient in places (an overlong {@code /},
 * a lone surrogate or a malformed percent escape becomes some character instead of an error), and a gateway that
 * normalizes what it passes on lets a client smuggle bytes past checks the upstream would make. Everything here
 * refuses instead of repairing.
 */
public final class StrictText {

    private StrictText() {
    }

    /**
     * Whether the bytes are well-formed UTF-8 as RFC 3629 defines it: shortest form only, no surrogates
     * (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence.
     */
    public static boolean utf8(byte[] bytes) {
        int i = 0;
        int n = bytes.length;
        while (i < n) {
            int b = bytes[i] & 0xff;
            if (b < 0x80) {
                i++;
                continue;
            }
            int length;
            // the second byte's range rules out overlong forms, surrogates and code points above U+10FFFF
            int min;
            int max;
            if (b >= 0xc2 && b <= 0xdf) {
                length = 2;
                min = 0x80;
                max = 0xbf;
            } else if (b >= 0xe0 && b <= 0xef) {
                length = 3;
                min = b == 0xe0 ? 0xa0 : 0x80;
                max = b == 0xed ? 0x9f : 0xbf;
            } else if (b >= 0xf0 && b <= 0xf4) {
                length = 4;
                min = b == 0xf0 ? 0x90 : 0x80;
                max = b == 0xf4 ? 0x8f : 0xbf;
            } else {
                return false; // a continuation byte without a lead, C0/C1 (overlong), or a 5/6-byte form
            }
            if (i + length > n) {
                return false;
            }
            int second = bytes[i + 1] & 0xff;
            if (second < min || second > max) {
                return false;
            }
            for (int k = 2; k < length; k++) {
                if ((bytes[i + k] & 0xc0) != 0x80) {
                    return false;
                }
            }
            i += length;
        }
        return true;
    }

    /**
     * A percent-encoded URI component decoded strictly: every escape is two hex digits, the bytes are well-formed
     * UTF-8, raw characters are printable ASCII, and the result is printable ({@link #printable}); null otherwise.
     *
     * @param plusIsSpace true for query strings, where '+' stands for a space
     */
    public static String percentDecoded(String raw, boolean plusIsSpace) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
                if (lo < 0 || raw.charAt(i + 1) > 0x7f || raw.charAt(i + 2) > 0x7f) {
                    return null;
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c <= 0x20 || c >= 0x7f) {
                return null;
            } else {
                bytes.write(plusIsSpace && c == '+' ? ' ' : c);
            }
        }
        byte[] decoded = bytes.toByteArray();
        if (!utf8(decoded)) {
            return null;
        }
        String text = new String(decoded, StandardCharsets.UTF_8);
        return printable(text) ? text : null;
    }

    /** Whether the bytes hold a NUL, which JSON text never does outside an escape (a sign of UTF-16 or UTF-32). */
    public static boolean hasNul(byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                return true;
            }
        }
        return false;
    }

    /** Whether the bytes start with a UTF-8 byte order mark, which JSON text must not carry (RFC 8259 section 8.1). */
    public static boolean hasBom(byte[] bytes) {
        return bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf;
    }

    /** Whether a text has no control, format, separator (other than space) or unassigned characters. */
    public static boolean printable(String text) {
        return text.codePoints().allMatch(cp -> switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.UNASSIGNED, Character.LINE_SEPARATOR,
                 Character.PARAGRAPH_SEPARATOR, Character.SURROGATE, Character.PRIVATE_USE -> false;
            default -> true;
        });
    }
}
