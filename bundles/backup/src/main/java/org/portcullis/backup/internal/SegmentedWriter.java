package org.portcullis.backup.internal;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;

import javax.crypto.Cipher;

import org.portcullis.backup.BackupHeader;

/**
 * Writes a backup: the clear header, then the payload in segments of {@code segmentSize} bytes,
 * each sealed with AES-256-GCM under its own nonce (file prefix, segment index, last flag) and the
 * header's digest as associated data. A segment is written only when it is known whether it is
 * the last, so {@link #close()} seals the final one (possibly empty) with the last flag.
 */
public final class SegmentedWriter extends OutputStream {

    private static final int STEP = 16 * 1024;

    private final DataOutputStream out;
    private final byte[] key;
    private final byte[] prefix;
    private final byte[] aad;
    private final byte[] buffer;
    private final byte[] sealed;
    private int filled;
    private int index;
    private boolean closed;
    private long payload;

    private SegmentedWriter(DataOutputStream out, byte[] key, BackupHeader h, byte[] aad) {
        this.out = out;
        this.key = key.clone();
        this.prefix = h.noncePrefix().clone();
        this.aad = aad;
        this.buffer = new byte[h.segmentSize()];
        // one buffer for every sealed segment: a fresh 1 MiB array per segment is a G1 humongous
        // allocation, which started a concurrent cycle every few segments
        this.sealed = new byte[h.segmentSize() + BackupCrypto.TAG_BITS / 8];
    }

    /** Writes the header (with its key check) and returns the stream for the payload. */
    public static SegmentedWriter open(OutputStream target, BackupHeader header, byte[] key) throws IOException {
        try {
            BackupHeader checked = new BackupHeader(header.productVersion(), header.created(), header.node(), header.keyKind(),
                    header.scryptN(), header.scryptR(), header.scryptP(), header.salt(), header.noncePrefix(), header.segmentSize(),
                    BackupCrypto.keyCheck(key, header));
            byte[] encoded = checked.encode(true);
            DataOutputStream out = new DataOutputStream(target);
            out.write(BackupCrypto.MAGIC);
            out.writeShort(BackupCrypto.FORMAT_VERSION);
            out.writeInt(encoded.length);
            out.write(encoded);
            return new SegmentedWriter(out, key, checked, BackupCrypto.associatedData(encoded));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up the backup cipher: " + e.getMessage(), e);
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("backup stream closed");
        }
        while (len > 0) {
            if (filled == buffer.length) {
                seal(false); // more data follows: this segment is not the last
            }
            int n = Math.min(len, buffer.length - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            off += n;
            len -= n;
            payload += n;
        }
    }

    /** Payload bytes written so far. */
    public long payloadBytes() {
        return payload;
    }

    private void seal(boolean last) throws IOException {
        try {
            Cipher c = BackupCrypto.cipher(Cipher.ENCRYPT_MODE, key, prefix, index, last, aad);
            // in 16 KiB steps: many short calls get the JIT to the AES and GHASH intrinsics
            // within the first megabytes, where one call per segment ran interpreted for seconds
            int done = 0;
            for (int at = 0; at < filled; at += STEP) {
                done += c.update(buffer, at, Math.min(STEP, filled - at), sealed, done);
            }
            done += c.doFinal(sealed, done);
            out.writeInt(done);
            out.write(sealed, 0, done);
            index++;
            filled = 0;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encrypt segment " + index + ": " + e.getMessage(), e);
        }
    }

    /** Seals the last segment and flushes; does not close the target. */
    public void finish() throws IOException {
        if (!closed) {
            seal(true);
            out.flush();
            closed = true;
            java.util.Arrays.fill(key, (byte) 0);
        }
    }

    @Override
    public void close() throws IOException {
        finish();
        out.close();
    }
}
