package org.portcullis.acme.internal;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * EC key pairs with the JDK alone, kept as PEM: the private key as PKCS#8 ({@code PRIVATE KEY},
 * which OpenSSL and so Postfix read) followed by the public key ({@code PUBLIC KEY}).
 */
final class Keys {

    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private Keys() {
    }

    /** A new key pair on the named curve ({@code secp256r1}, {@code secp384r1}). */
    static KeyPair ec(String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(curve));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no EC key generation for " + curve + " in this JVM: " + e.getMessage(), e);
        }
    }

    static String privatePem(KeyPair key) {
        return block("PRIVATE KEY", key.getPrivate().getEncoded());
    }

    static String pem(KeyPair key) {
        return privatePem(key) + block("PUBLIC KEY", key.getPublic().getEncoded());
    }

    static KeyPair read(String pem) throws IOException {
        byte[] priv = null;
        byte[] pub = null;
        Matcher m = BLOCK.matcher(pem == null ? "" : pem);
        while (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            if ("PRIVATE KEY".equals(m.group(1))) {
                priv = der;
            } else if ("PUBLIC KEY".equals(m.group(1))) {
                pub = der;
            }
        }
        if (priv == null || pub == null) {
            throw new IOException("not a PEM key pair (a PRIVATE KEY and a PUBLIC KEY block)");
        }
        try {
            KeyFactory f = KeyFactory.getInstance("EC");
            return new KeyPair(f.generatePublic(new X509EncodedKeySpec(pub)), f.generatePrivate(new PKCS8EncodedKeySpec(priv)));
        } catch (GeneralSecurityException e) {
            throw new IOException("not an EC key pair: " + e.getMessage(), e);
        }
    }

    private static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
