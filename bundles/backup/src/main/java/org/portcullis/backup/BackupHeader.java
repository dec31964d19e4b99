package org.portcullis.backup;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a backup says about itself, stored in the clear at its start and authenticated with
 * every segment (see docs/BACKUP-FORMAT.md).
 *
 * @param productVersion the Portcullis version that made it (a restore needs the same)
 * @param created when
 * @param node the host that made it
 * @param keyKind {@code passphrase} (scrypt) or {@code keyfile} (HKDF over the appliance key file)
 * @param scryptN scrypt cost (passphrase only)
 * @param scryptR scrypt block size
 * @param scryptP scrypt parallelism
 * @param salt 16 random bytes
 * @param noncePrefix 7 random bytes, the first part of every segment's nonce
 * @param segmentSize plaintext bytes per segment (the last may hold fewer)
 * @param keyCheck HMAC-SHA256 with the derived key over the other fields: tells a wrong key at once
 */
public record BackupHeader(String productVersion, Instant created, String node, String keyKind, int scryptN, int scryptR, int scryptP,
        byte[] salt, byte[] noncePrefix, int segmentSize, byte[] keyCheck) {

    /** The fields as {@code key=value} lines, keyCheck last, in a fixed order. */
    public byte[] encode(boolean withKeyCheck) {
        Map<String, String> f = new LinkedHashMap<>();
        Base64.Encoder b64 = Base64.getEncoder();
        f.put("product-version", productVersion);
        f.put("created", created.toString());
        f.put("node", node);
        f.put("key", keyKind);
        f.put("scrypt-n", Integer.toString(scryptN));
        f.put("scrypt-r", Integer.toString(scryptR));
        f.put("scrypt-p", Integer.toString(scryptP));
        f.put("salt", b64.encodeToString(salt));
        f.put("nonce-prefix", b64.encodeToString(noncePrefix));
        f.put("segment-size", Integer.toString(segmentSize));
        if (withKeyCheck) {
            f.put("key-check", b64.encodeToString(keyCheck));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        f.forEach((k, v) -> out.writeBytes((k + "=" + v + "\n").getBytes(StandardCharsets.UTF_8)));
        return out.toByteArray();
    }

    /** @throws BackupException naming the field that is missing or malformed */
    public static BackupHeader decode(byte[] bytes) throws BackupException {
        Map<String, String> f = new LinkedHashMap<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                f.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        try {
            Base64.Decoder b64 = Base64.getDecoder();
            return new BackupHeader(req(f, "product-version"), Instant.parse(req(f, "created")), req(f, "node"), req(f, "key"),
                    Integer.parseInt(req(f, "scrypt-n")), Integer.parseInt(req(f, "scrypt-r")), Integer.parseInt(req(f, "scrypt-p")),
                    b64.decode(req(f, "salt")), b64.decode(req(f, "nonce-prefix")), Integer.parseInt(req(f, "segment-size")),
                    b64.decode(req(f, "key-check")));
        } catch (RuntimeException e) {
            throw new BackupException("backup header is damaged (" + e.getMessage() + ")");
        }
    }

    private static String req(Map<String, String> f, String key) {
        String v = f.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no " + key);
        }
        return v;
    }
}
