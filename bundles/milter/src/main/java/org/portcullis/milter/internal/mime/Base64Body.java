package org.portcullis.milter.internal.mime;

import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;

/**
 * The decoded content of a base64 body, read permissively as mail clients do, with the JDK's
 * decoder doing the decoding. mime4j's own base64 stream was 62 % of the milter's CPU on 100 KiB
 * attachment mail ({@code bench/profile-av.sh} with {@code ATTACHMENT=yes}).
 *
 * <p>What is read: bytes outside the base64 alphabet (line breaks, spaces, stray characters) are
 * skipped; a {@code =} ends a run, and what follows it is decoded as a new run, so data placed
 * after an early pad is still seen; a run's last 2 or 3 characters decode as if padded, a single
 * one left over carries less than a byte and is dropped.
 */
final class Base64Body {

    private static final Base64.Decoder DECODER = Base64.getDecoder();
    private static final boolean[] ALPHABET = new boolean[256];

    static {
        for (char c : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray()) {
            ALPHABET[c] = true;
        }
    }

    /** Receives decoded bytes. */
    interface Sink {
        void write(byte[] bytes, int off, int len) throws IOException;
    }

    private final Sink sink;
    /** Alphabet characters of the current run not yet decoded. */
    private final byte[] pending = new byte[64 * 1024];
    private int pendingLength;
    private final byte[] decoded = new byte[pending.length / 4 * 3];

    private Base64Body(Sink sink) {
        this.sink = sink;
    }

    /** Decodes all of {@code encoded} into {@code sink}. */
    static void decode(InputStream encoded, Sink sink) throws IOException {
        Base64Body body = new Base64Body(sink);
        byte[] chunk = new byte[64 * 1024];
        for (int n; (n = encoded.read(chunk)) > 0;) {
            body.accept(chunk, n);
        }
        body.endRun();
    }

    private void accept(byte[] chunk, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            int b = chunk[i] & 0xff;
            if (ALPHABET[b]) {
                pending[pendingLength++] = (byte) b;
                if (pendingLength == pending.length) {
                    flushFull();
                }
            } else if (b == '=') {
                endRun();
            }
        }
    }

    /** The pending buffer is full: a whole number of 4-character quanta, decoded in one call. */
    private void flushFull() throws IOException {
        int len = DECODER.decode(pending, decoded);
        sink.write(decoded, 0, len);
        pendingLength = 0;
    }

    /** The run ends (a pad, or the end of the body): everything pending is decoded; a lone last character carries no byte. */
    private void endRun() throws IOException {
        int usable = pendingLength % 4 == 1 ? pendingLength - 1 : pendingLength;
        if (usable > 0) {
            byte[] tail = DECODER.decode(java.util.Arrays.copyOf(pending, usable));
            sink.write(tail, 0, tail.length);
        }
        pendingLength = 0;
    }
}
