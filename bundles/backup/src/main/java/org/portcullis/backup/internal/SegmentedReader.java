package org.portcullis.backup.internal;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;

import org.portcullis.backup.BackupException;
import org.portcullis.backup.BackupHeader;

/**
 * Reads a backup: {@link #readHeader} checks the mark and the format version and parses the
 * clear header; {@link #open} checks the key and returns the payload, verified segment by
 * segment. A flipped byte anywhere, a segment moved, swapped in from another backup or cut off,
 * or anything after the last segment ends the read with a {@link BackupException}; the payload
 * ends (-1) only once the last segment has been verified.
 */
public final class SegmentedReader extends InputStream {

    /** The clear part: the header and its bytes as stored (they are the segments' associated data). */
    public record Head(BackupHeader header, byte[] encoded) {
    }

    private final DataInputStream in;
    private final byte[] key;
    private final BackupHeader header;
    private final byte[] aad;
    private final byte[] sealed;
    private final byte[] plain;
    private int plainLength;
    private int pos;
    private int index;
    private boolean lastSeen;

    private SegmentedReader(DataInputStream in, byte[] key, Head head) throws GeneralSecurityException {
        this.in = in;
        this.key = key.clone();
        this.header = head.header();
        this.aad = BackupCrypto.associatedData(head.encoded());
        // reused for every segment (see SegmentedWriter)
        this.sealed = new byte[header.segmentSize() + BackupCrypto.TAG_BITS / 8];
        this.plain = new byte[header.segmentSize()];
    }

    public static Head readHeader(InputStream source) throws IOException {
        DataInputStream in = new DataInputStream(source);
        byte[] magic = new byte[BackupCrypto.MAGIC.length];
        try {
            in.readFully(magic);
            if (!MessageDigest.isEqual(magic, BackupCrypto.MAGIC)) {
                throw new BackupException("not a Portcullis backup (it does not start with the PCBACKUP mark)");
            }
            int version = in.readUnsignedShort();
            if (version > BackupCrypto.FORMAT_VERSION) {
                throw new BackupException("backup format " + version + " is newer than this Portcullis reads (format "
                        + BackupCrypto.FORMAT_VERSION + "): restore it on the version that made it");
            }
            if (version < 1) {
                throw new BackupException("backup format " + version + " is not a format Portcullis ever wrote");
            }
            int length = in.readInt();
            if (length <= 0 || length > 64 * 1024) {
                throw new BackupException("backup header is damaged (length " + length + ")");
            }
            byte[] encoded = new byte[length];
            in.readFully(encoded);
            BackupHeader header = BackupHeader.decode(encoded);
            checkCost(header);
            return new Head(header, encoded);
        } catch (EOFException e) {
            throw new BackupException("not a Portcullis backup (too short for a header)");
        }
    }

    /**
     * The header is not yet authenticated when it is read (that needs the key it describes), so
     * whatever it asks to spend — scrypt's memory and time, the segment buffers — is bounded by
     * what {@code backup:create} writes, before anything is spent.
     */
    private static void checkCost(BackupHeader h) throws BackupException {
        if ("passphrase".equals(h.keyKind())) {
            int n = h.scryptN();
            if (n < 2 || Integer.bitCount(n) != 1 || h.scryptR() < 1 || h.scryptP() < 1 || n > BackupCrypto.SCRYPT_N
                    || h.scryptR() > BackupCrypto.SCRYPT_R || h.scryptP() > BackupCrypto.SCRYPT_P) {
                throw new BackupException("backup header asks for scrypt N=" + n + ", r=" + h.scryptR() + ", p=" + h.scryptP()
                        + ", beyond what Portcullis writes (N=" + BackupCrypto.SCRYPT_N + ", r=" + BackupCrypto.SCRYPT_R + ", p="
                        + BackupCrypto.SCRYPT_P + "): not a backup Portcullis made; refused before deriving any key");
            }
        }
        if (h.segmentSize() < 1 || h.segmentSize() > BackupCrypto.MAX_SEGMENT) {
            throw new BackupException("backup header is damaged (segment size " + h.segmentSize() + ", at most "
                    + BackupCrypto.MAX_SEGMENT + ")");
        }
    }

    /** @throws BackupException when the key (passphrase or key file) is not the one the backup was made with */
    public static SegmentedReader open(InputStream source, Head head, byte[] key) throws IOException {
        try {
            if (!MessageDigest.isEqual(BackupCrypto.keyCheck(key, head.header()), head.header().keyCheck())) {
                throw new BackupException("wrong passphrase or key file for this backup (or its header was altered)");
            }
            return new SegmentedReader(new DataInputStream(source), key, head);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up the backup cipher: " + e.getMessage(), e);
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        while (pos == plainLength) {
            if (lastSeen) {
                if (in.read() >= 0) {
                    throw new BackupException("data after the last segment: the file was altered");
                }
                return -1;
            }
            next();
        }
        int n = Math.min(len, plainLength - pos);
        System.arraycopy(plain, pos, b, off, n);
        pos += n;
        return n;
    }

    private void next() throws IOException {
        int length;
        try {
            length = in.readInt();
        } catch (EOFException e) {
            throw new BackupException("the backup is truncated: it ends " + (index == 0 ? "before its first segment"
                    : "after segment " + (index - 1) + " without its last segment"));
        }
        if (length < 16 || length > header.segmentSize() + 16) {
            throw new BackupException("segment " + index + " is damaged (length " + length + ")");
        }
        try {
            in.readFully(sealed, 0, length);
        } catch (EOFException e) {
            throw new BackupException("the backup is truncated inside segment " + index);
        }
        plainLength = decrypt(length, false);
        if (plainLength < 0) {
            plainLength = decrypt(length, true);
            if (plainLength < 0) {
                throw new BackupException("segment " + index + " failed authentication: the file was altered, or its segments were "
                        + "reordered or mixed with another backup's");
            }
            lastSeen = true;
        }
        pos = 0;
        index++;
    }

    /** Decrypts {@code sealed[0, length)} into {@code plain}; the plaintext length, or -1 when it does not authenticate. */
    private int decrypt(int length, boolean last) throws IOException {
        try {
            return BackupCrypto.cipher(Cipher.DECRYPT_MODE, key, header.noncePrefix(), index, last, aad).doFinal(sealed, 0, length, plain, 0);
        } catch (AEADBadTagException e) {
            return -1;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot decrypt segment " + index + ": " + e.getMessage(), e);
        }
    }

    /** Reads the rest of the payload and discards it: the whole file verified, or a BackupException. */
    public long verifyToEnd() throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = read(buf, 0, buf.length)) >= 0;) {
            total += n;
        }
        return total;
    }

    @Override
    public void close() throws IOException {
        java.util.Arrays.fill(key, (byte) 0);
        in.close();
    }
}
