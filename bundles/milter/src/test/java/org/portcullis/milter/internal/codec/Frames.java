package org.portcullis.milter.internal.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds raw milter frames for tests: length, code, payload pieces. */
public final class Frames {

    private Frames() {
    }

    /** A frame: strings are written as ISO-8859-1 plus NUL, ints as 4 bytes, Shorts as 2, byte[] raw, Characters as one byte. */
    public static byte[] frame(char code, Object... parts) {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        payload.write(code);
        for (Object part : parts) {
            if (part instanceof String s) {
                payload.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
                payload.write(0);
            } else if (part instanceof Integer i) {
                payload.writeBytes(new byte[] {(byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) (int) i});
            } else if (part instanceof Short s) {
                payload.writeBytes(new byte[] {(byte) (s >>> 8), (byte) (short) s});
            } else if (part instanceof Character c) {
                payload.write(c);
            } else if (part instanceof byte[] b) {
                payload.writeBytes(b);
            } else {
                throw new IllegalArgumentException(String.valueOf(part));
            }
        }
        return withLength(payload.toByteArray());
    }

    public static byte[] withLength(byte[] body) {
        byte[] out = new byte[body.length + 4];
        int n = body.length;
        out[0] = (byte) (n >>> 24);
        out[1] = (byte) (n >>> 16);
        out[2] = (byte) (n >>> 8);
        out[3] = (byte) n;
        System.arraycopy(body, 0, out, 4, body.length);
        return out;
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
