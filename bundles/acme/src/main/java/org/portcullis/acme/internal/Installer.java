package org.portcullis.acme.internal;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;


import org.portcullis.core.AtomicFiles;
import org.portcullis.core.PresentedCertificate;

/** Puts an issued certificate where Postfix reads it and proves Postfix presents it. */
final class Installer {

    private Installer() {
    }

    /** The certificates in {@code pem}, in order; other blocks (a key) are skipped. */
    static List<X509Certificate> chain(String pem) throws IOException {
        try {
            List<X509Certificate> out = new ArrayList<>();
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\\s]+-----END CERTIFICATE-----")
                    .matcher(pem);
            while (m.find()) {
                out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(m.group().getBytes(StandardCharsets.US_ASCII))));
            }
            if (out.isEmpty()) {
                throw new IOException("no certificate in the stored chain");
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IOException("the stored chain: " + e.getMessage(), e);
        }
    }

    static String pem(List<X509Certificate> chain) {
        StringWriter w = new StringWriter();
        Base64.Encoder b64 = Base64.getMimeEncoder(64, new byte[] {'\n'});
        try {
            for (X509Certificate c : chain) {
                w.write("-----BEGIN CERTIFICATE-----\n" + b64.encodeToString(c.getEncoded()) + "\n-----END CERTIFICATE-----\n");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }

    /**
     * Writes Postfix's {@code smtpd_tls_chain_files} file: the key, then the certificate and its
     * chain, by rename (0600). The file it replaces is kept beside it as {@code .previous} until
     * {@link #proven}; a {@code .previous} left by an install cut off before its proof is kept as it is
     * (it is the last proven file).
     */
    static void writeChainFile(Path file, KeyPair key, List<X509Certificate> chain) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        if (Files.exists(file) && !Files.exists(previous(file))) {
            Files.copy(file, previous(file), StandardCopyOption.COPY_ATTRIBUTES);
        }
        String content = Keys.privatePem(key) + pem(chain);
        AtomicFiles.writePrivate(file, out -> out.write(content.getBytes(StandardCharsets.US_ASCII)));
    }

    /** The new file was shown served: the previous one is no longer needed. */
    static void proven(Path file) throws IOException {
        Files.deleteIfExists(previous(file));
    }

    /** Why a certificate must not be installed (not valid now, or not the key's), or null. */
    static String unusable(KeyPair key, X509Certificate leaf) {
        try {
            leaf.checkValidity();
        } catch (java.security.cert.CertificateException e) {
            return "it is not valid now (" + leaf.getNotBefore().toInstant() + " to " + leaf.getNotAfter().toInstant() + ")";
        }
        if (!java.util.Arrays.equals(key.getPublic().getEncoded(), leaf.getPublicKey().getEncoded())) {
            return "its key is not the stored key";
        }
        return null;
    }

    /** Puts the previous file back; false when there was none. */
    static boolean restoreChainFile(Path file) throws IOException {
        Path previous = previous(file);
        if (!Files.exists(previous)) {
            return false;
        }
        Files.move(previous, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    private static Path previous(Path file) {
        return file.resolveSibling(file.getFileName() + ".previous");
    }

    /** The leaf an SMTP server presents after STARTTLS at {@code host:port} (any chain accepted: it is only compared). */
    static X509Certificate starttlsLeaf(String host, int port, Duration timeout) throws IOException {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            plain.setSoTimeout((int) timeout.toMillis());
            BufferedReader in = new BufferedReader(new InputStreamReader(plain.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = plain.getOutputStream();
            expect(in, "220");
            out.write("EHLO portcullis.acme.check\r\n".getBytes(StandardCharsets.US_ASCII));
            expect(in, "250");
            out.write("STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
            expect(in, "220");
            return PresentedCertificate.over(plain, host, port);
        }
    }

    /** Reads one (multi-line) SMTP reply and checks its code. */
    private static void expect(BufferedReader in, String code) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("the SMTP server closed the connection");
            }
            if (!line.startsWith(code)) {
                throw new IOException("the SMTP server answered '" + Issuer.oneLine(line) + "' where " + code + " was expected");
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
    }
}
