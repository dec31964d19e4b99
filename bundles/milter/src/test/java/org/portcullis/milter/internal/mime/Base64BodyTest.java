package org.portcullis.milter.internal.mime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

import org.junit.jupiter.api.Test;

class Base64BodyTest {

    private static byte[] decode(String encoded) throws IOException {
        return decode(encoded.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static byte[] decode(byte[] encoded) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Base64Body.decode(new ByteArrayInputStream(encoded), out::write);
        return out.toByteArray();
    }

    @Test
    void mimeBodiesOfEverySizeDecodeToTheirBytes() throws IOException {
        Random random = new Random(7);
        // around the 64 KiB buffer of characters (48 KiB of bytes) and a few sizes well past it
        for (int size : new int[] {0, 1, 2, 3, 4, 57, 49151, 49152, 49153, 98304, 200_000}) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            byte[] mime = Base64.getMimeEncoder().encode(data); // 76-character lines, CRLF
            assertArrayEquals(data, decode(mime), size + " bytes");
        }
    }

    @Test
    void strayCharactersAreSkippedAndPaddingIsOptional() throws IOException {
        assertEquals("hello world", new String(decode(" aGVs\tbG8g*d29y\r\n\0bGQ "), StandardCharsets.US_ASCII));
        assertEquals("ABC", new String(decode("QUJD"), StandardCharsets.US_ASCII));
        assertEquals("AB", new String(decode("QUI"), StandardCharsets.US_ASCII), "an unpadded last unit decodes as if padded");
        assertEquals("AB", new String(decode("QUI="), StandardCharsets.US_ASCII));
    }

    @Test
    void whatFollowsAnEarlyPadIsStillDecodedAndALoneLastCharacterIsDropped() throws IOException {
        assertEquals("AABC", new String(decode("QQ==QUJD"), StandardCharsets.US_ASCII), "data hidden after a pad is seen");
        assertEquals("ABC", new String(decode("QUJDR"), StandardCharsets.US_ASCII), "one character is less than a byte");
        assertEquals("", new String(decode("===\r\n"), StandardCharsets.US_ASCII));
    }
}
