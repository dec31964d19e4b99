package org.portcullis.backup.internal;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The payload inside the encrypted stream: named parts, one after another, each written as a
 * stream without knowing its length first — name (2-byte length, UTF-8), then chunks (4-byte
 * length, bytes), ended by an empty chunk; the payload ends with an empty name.
 */
public final class PartsWriter implements AutoCloseable {

    static final int MAX_NAME = 1024;
    static final int CHUNK = 64 * 1024;

    private final DataOutputStream out;
    private boolean partOpen;
    private boolean finished;

    public PartsWriter(OutputStream payload) {
        this.out = new DataOutputStream(payload);
    }

    /** Starts a part; write its bytes to the returned stream and close it before the next part. */
    public OutputStream part(String name) throws IOException {
        if (partOpen || finished) {
            throw new IllegalStateException("close the previous part first");
        }
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length == 0 || n.length > MAX_NAME) {
            throw new IllegalArgumentException("part name must be 1 to " + MAX_NAME + " bytes: '" + name + "'");
        }
        out.writeShort(n.length);
        out.write(n);
        partOpen = true;
        return new OutputStream() {
            private final byte[] buffer = new byte[CHUNK];
            private int filled;
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                while (len > 0) {
                    int k = Math.min(len, CHUNK - filled);
                    System.arraycopy(b, off, buffer, filled, k);
                    filled += k;
                    off += k;
                    len -= k;
                    if (filled == CHUNK) {
                        flushChunk();
                    }
                }
            }

            private void flushChunk() throws IOException {
                if (filled > 0) {
                    out.writeInt(filled);
                    out.write(buffer, 0, filled);
                    filled = 0;
                }
            }

            @Override
            public void close() throws IOException {
                if (!closed) {
                    flushChunk();
                    out.writeInt(0);
                    closed = true;
                    partOpen = false;
                }
            }
        };
    }

    /** Ends the payload (the empty name); the underlying stream stays open. */
    public void finish() throws IOException {
        if (partOpen) {
            throw new IllegalStateException("close the last part first");
        }
        if (!finished) {
            out.writeShort(0);
            out.flush();
            finished = true;
        }
    }

    @Override
    public void close() throws IOException {
        finish();
    }
}
