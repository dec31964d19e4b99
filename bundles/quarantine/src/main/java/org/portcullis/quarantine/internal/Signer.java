package org.portcullis.quarantine.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 under one of the appliance's keys, for one purpose: the purpose's label is signed
 * first, so a signature made for one use (a release link) is never valid for another (a released
 * copy's header). Signatures are written base64url without padding.
 */
final class Signer {

    private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();

    private final byte[] key;
    private final byte[] label;

    Signer(byte[] key, String purpose) {
        this.key = key.clone();
        this.label = (purpose + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The signature of {@code data}, base64url. */
    String sign(byte[] data) {
        return ENCODE.encodeToString(mac(data));
    }

    /** Whether {@code signature} (base64url) is this signer's for {@code data}; compared in constant time. */
    boolean verify(byte[] data, String signature) {
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(mac(data), given);
    }

    private byte[] mac(byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(label);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
