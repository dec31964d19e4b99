package org.portcullis.backup.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.generators.SCrypt;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.portcullis.backup.BackupHeader;

/**
 * The cryptography of the format, all from maintained libraries: scrypt and HKDF-SHA256 from
 * Bouncy Castle, AES-256-GCM and HMAC-SHA256 from the JDK. Nothing here invents a primitive; it
 * only fixes how nonces, associated data and keys are put together.
 */
public final class BackupCrypto {

    static final byte[] MAGIC = "PCBACKUP".getBytes(StandardCharsets.US_ASCII);
    static final int FORMAT_VERSION = 1;
    static final int TAG_BITS = 128;
    static final byte[] HKDF_INFO = "portcullis backup v1".getBytes(StandardCharsets.US_ASCII);
    /** scrypt cost of every passphrase backup written (about 32 MiB and 0.1 s); a header asking for more is refused. */
    static final int SCRYPT_N = 1 << 15;
    static final int SCRYPT_R = 8;
    static final int SCRYPT_P = 1;
    /** Plaintext bytes per segment written; a header asking for larger segments is refused. */
    static final int MAX_SEGMENT = 1 << 20;

    private BackupCrypto() {
    }

    /** scrypt(passphrase, salt, N, r, p) → 32 bytes. */
    public static byte[] keyFromPassphrase(char[] passphrase, BackupHeader h) {
        byte[] utf8 = new String(passphrase).getBytes(StandardCharsets.UTF_8);
        try {
            return SCrypt.generate(utf8, h.salt(), h.scryptN(), h.scryptR(), h.scryptP(), 32);
        } finally {
            Arrays.fill(utf8, (byte) 0);
        }
    }

    /** HKDF-SHA256(key file, salt, "portcullis backup v1") → 32 bytes. */
    public static byte[] keyFromKeyFile(byte[] keyFile, BackupHeader h) {
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(keyFile, h.salt(), HKDF_INFO));
        byte[] key = new byte[32];
        hkdf.generateBytes(key, 0, key.length);
        return key;
    }

    /** HMAC-SHA256 of the header without its key check: proves the key before any segment is read. */
    static byte[] keyCheck(byte[] key, BackupHeader h) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        mac.update("key-check".getBytes(StandardCharsets.US_ASCII));
        return mac.doFinal(h.encode(false));
    }

    /** The associated data of every segment: a digest of magic, format version and the whole header. */
    static byte[] associatedData(byte[] encodedHeader) throws GeneralSecurityException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(MAGIC);
        sha.update(ByteBuffer.allocate(2).putShort((short) FORMAT_VERSION).array());
        return sha.digest(encodedHeader);
    }

    /** nonce = 7-byte prefix ‖ segment index (4 bytes) ‖ last-segment flag (1 byte). */
    static byte[] nonce(byte[] prefix, int index, boolean last) {
        return ByteBuffer.allocate(12).put(prefix).putInt(index).put((byte) (last ? 1 : 0)).array();
    }

    static Cipher cipher(int mode, byte[] key, byte[] prefix, int index, boolean last, byte[] aad) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce(prefix, index, last)));
        c.updateAAD(aad);
        return c;
    }
}
