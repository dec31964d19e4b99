package org.portcullis.backup.internal;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.portcullis.backup.BackupException;

/** Reads the parts {@link PartsWriter} wrote, one at a time, each as a stream. */
public final class PartsReader {

    private final DataInputStream in;
    private InputStream current;

    public PartsReader(InputStream payload) {
        this.in = new DataInputStream(payload);
    }

    /** The next part's name, or {@code null} at the end of the payload. The previous part is skipped if unread. */
    public String next() throws IOException {
        if (current != null) {
            current.transferTo(java.io.OutputStream.nullOutputStream());
            current = null;
        }
        try {
            int length = in.readUnsignedShort();
            if (length == 0) {
                return null;
            }
            if (length > PartsWriter.MAX_NAME) {
                throw new BackupException("backup payload is damaged (part name of " + length + " bytes)");
            }
            byte[] name = new byte[length];
            in.readFully(name);
            current = new ChunkStream();
            return new String(name, StandardCharsets.UTF_8);
        } catch (EOFException e) {
            throw new BackupException("backup payload ends without its end mark");
        }
    }

    /** The current part's bytes. */
    public InputStream stream() {
        if (current == null) {
            throw new IllegalStateException("call next() first");
        }
        return current;
    }

    private final class ChunkStream extends InputStream {
        private int left;
        private boolean done;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (left == 0) {
                if (done) {
                    return -1;
                }
                try {
                    left = in.readInt();
                } catch (EOFException e) {
                    throw new BackupException("backup payload ends inside a part");
                }
                if (left < 0 || left > PartsWriter.CHUNK) {
                    throw new BackupException("backup payload is damaged (chunk of " + left + " bytes)");
                }
                if (left == 0) {
                    done = true;
                }
            }
            int n = in.read(b, off, Math.min(len, left));
            if (n < 0) {
                throw new BackupException("backup payload ends inside a part");
            }
            left -= n;
            return n;
        }
    }
}
