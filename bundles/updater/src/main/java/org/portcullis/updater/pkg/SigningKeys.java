package org.portcullis.updater.pkg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ed25519 keys in the PEM forms OpenSSL writes ({@code openssl genpkey -algorithm ed25519} for
 * the private key, {@code openssl pkey -pubout} for the public one), and the signature over a
 * manifest. All cryptography is the JDK's.
 */
public final class SigningKeys {

    private static final String ALGORITHM = "Ed25519";
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----\\r?\\n([A-Za-z0-9+/=\\r\\n]+?)-----END \\1-----");

    private SigningKeys() {
    }

    /** Every public key in {@code file} (one or more PEM blocks "PUBLIC KEY"); none is an error. */
    public static List<PublicKey> trusted(Path file) {
        String text = read(file, "trusted keys file");
        List<PublicKey> keys = new ArrayList<>();
        Matcher m = PEM.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
            if (!m.group(1).equals("PUBLIC KEY")) {
                throw new PackageException("trusted keys file " + file + ": block " + n + " is a " + m.group(1) + ", not a PUBLIC KEY"
                        + (m.group(1).contains("PRIVATE") ? " (a private key never belongs on the appliance)" : ""));
            }
            try {
                keys.add(KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(body(m))));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new PackageException("trusted keys file " + file + ": block " + n + " is not an Ed25519 public key");
            }
        }
        if (keys.isEmpty()) {
            throw new PackageException("trusted keys file " + file + " holds no PEM public key");
        }
        return keys;
    }

    /** The Ed25519 private key in {@code file} (PKCS#8 PEM, "PRIVATE KEY"). */
    public static PrivateKey signing(Path file) {
        String text = read(file, "signing key");
        Matcher m = PEM.matcher(text);
        if (!m.find() || !m.group(1).equals("PRIVATE KEY")) {
            throw new PackageException("signing key " + file + " is not a PKCS#8 PEM private key (openssl genpkey -algorithm ed25519)");
        }
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(body(m)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new PackageException("signing key " + file + " is not an Ed25519 private key");
        }
    }

    /** The signature of {@code data} (64 bytes). */
    public static byte[] sign(PrivateKey key, byte[] data) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new PackageException("cannot sign with " + ALGORITHM + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code sig} is a signature of {@code data} by one of {@code keys}. */
    public static boolean verifies(List<PublicKey> keys, byte[] data, byte[] sig) {
        for (PublicKey key : keys) {
            try {
                Signature s = Signature.getInstance(ALGORITHM);
                s.initVerify(key);
                s.update(data);
                if (s.verify(sig)) {
                    return true;
                }
            } catch (GeneralSecurityException e) {
                // a malformed signature for this key: try the next
            }
        }
        return false;
    }

    private static byte[] body(Matcher m) {
        return Base64.getMimeDecoder().decode(m.group(2));
    }

    private static String read(Path file, String what) {
        try {
            if (Files.size(file) > 1 << 20) {
                throw new PackageException(what + " " + file + " is larger than 1 MiB");
            }
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new PackageException(what + " " + file + " is not PEM text");
        } catch (NoSuchFileException e) {
            throw new PackageException(what + " " + file + " does not exist");
        } catch (IOException e) {
            throw new PackageException(what + " " + file + " cannot be read: " + e.getMessage(), e);
        }
    }
}
