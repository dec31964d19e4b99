package org.portcullis.rest.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.handler.AbstractHandler;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.portcullis.core.AtomicFiles;
import org.portcullis.core.PresentedCertificate;
import org.portcullis.rest.HttpsCertificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces the HTTPS certificate without restarting Jetty. Pax Web restarts the whole server on
 * any change of its configuration (every connector down for that moment), so the keystore file
 * is rewritten under the same name and password instead, and each TLS connector's
 * {@code SslContextFactory} is told to read it again. Pax Web adds every registered Jetty
 * {@link Handler} service to its server; the one registered here does nothing with requests and
 * is only the way to the server's connectors. Pax Web rebuilds its server when a handler comes or
 * goes, so this component is immediate: the handler is registered once, as the rest bundle starts
 * (at boot, with the server's other first-boot changes), and never again while it runs.
 */
@Component(immediate = true)
public class HttpsKeystore implements HttpsCertificate {

    private static final Logger LOG = LoggerFactory.getLogger(HttpsKeystore.class);

    @Reference
    private ConfigurationAdmin configAdmin;

    private final ServerProbe probe = new ServerProbe();
    private ServiceRegistration<Handler> registration;
    private Path dir = TlsSetup.directory();

    @Activate
    void activate(BundleContext context) {
        registration = context.registerService(Handler.class, probe, null);
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            registration.unregister();
        }
    }

    /** For tests: the keystore's folder. */
    void directory(Path dir) {
        this.dir = dir;
    }

    @Override
    public List<X509Certificate> current() throws IOException {
        try {
            KeyStore store = load(keystore(), password());
            Certificate[] chain = store.getCertificateChain(TlsSetup.ALIAS);
            if (chain == null) {
                throw new IOException(keystore() + " has no key '" + TlsSetup.ALIAS + "'");
            }
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : chain) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IOException(keystore() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void install(PrivateKey key, List<X509Certificate> chain) throws IOException {
        check(key, chain);
        Object configured = webSetting(TlsSetup.KEYSTORE);
        if (configured != null && !configured.toString().equals(keystore().toString())) {
            throw new IOException("HTTPS uses the admin's keystore " + configured + ", which is left alone");
        }
        List<ServerConnector> connectors = tlsConnectors();
        if (connectors.isEmpty()) {
            throw new IOException("no HTTPS connector runs (is org.osgi.service.http.secure.enabled true?)");
        }
        Path keystore = keystore();
        Path previous = keystore.resolveSibling(keystore.getFileName() + ".previous");
        if (!Files.exists(previous)) { // one left by an install cut off before its proof is the last proven keystore: kept
            Files.copy(keystore, previous, StandardCopyOption.COPY_ATTRIBUTES);
        }
        String password = password();
        write(keystore, password, key, chain);
        try {
            reload(connectors);
            for (ServerConnector c : connectors) {
                X509Certificate served = served(c);
                if (!served.equals(chain.get(0))) {
                    throw new IOException("the HTTPS connector on port " + c.getLocalPort() + " still presents " + served.getSubjectX500Principal());
                }
            }
            Files.deleteIfExists(previous);
            LOG.info("HTTPS now serves the certificate for {} (serial {}, valid until {})", chain.get(0).getSubjectX500Principal(),
                    chain.get(0).getSerialNumber().toString(16), chain.get(0).getNotAfter().toInstant());
        } catch (IOException | RuntimeException e) {
            String after = "the previous one is back";
            try {
                Files.move(previous, keystore, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                reload(connectors);
            } catch (IOException again) {
                after = "putting the previous one back failed too (" + again.getMessage() + ")";
            }
            throw new IOException("the new HTTPS certificate was not served, " + after + ": " + e.getMessage(), e);
        }
    }

    /** The key belongs to the leaf, and the leaf is valid now. */
    static void check(PrivateKey key, List<X509Certificate> chain) throws IOException {
        if (chain == null || chain.isEmpty()) {
            throw new IOException("no certificate to install");
        }
        X509Certificate leaf = chain.get(0);
        try {
            leaf.checkValidity();
        } catch (GeneralSecurityException e) {
            throw new IOException("the certificate for " + leaf.getSubjectX500Principal() + " is not valid now (" + leaf.getNotBefore().toInstant()
                    + " to " + leaf.getNotAfter().toInstant() + ")");
        }
        if (!matches(key, leaf)) {
            throw new IOException("the key does not match the certificate for " + leaf.getSubjectX500Principal());
        }
    }

    /** Whether {@code key} signs what the certificate's public key verifies. */
    static boolean matches(PrivateKey key, X509Certificate cert) {
        // by family: a key read through Bouncy Castle says "ECDSA" where the JDK says "EC"
        String algorithm = switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return false;
        }
        try {
            byte[] data = new byte[32];
            new SecureRandom().nextBytes(data);
            Signature s = Signature.getInstance(algorithm);
            s.initSign(key);
            s.update(data);
            byte[] signature = s.sign();
            Signature v = Signature.getInstance(algorithm);
            v.initVerify(cert.getPublicKey());
            v.update(data);
            return v.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static void write(Path keystore, String password, PrivateKey key, List<X509Certificate> chain) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(TlsSetup.ALIAS, key, password.toCharArray(), chain.toArray(new X509Certificate[0]));
            AtomicFiles.writePrivate(keystore, out -> {
                try {
                    store.store(out, password.toCharArray());
                } catch (GeneralSecurityException e) {
                    throw new IOException(e.getMessage(), e);
                }
            });
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write " + keystore + ": " + e.getMessage(), e);
        }
    }

    private static KeyStore load(Path file, String password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        }
        return store;
    }

    private Path keystore() {
        return dir.resolve("keystore.p12");
    }

    private String password() throws IOException {
        return Files.readString(dir.resolve("keystore.password"), StandardCharsets.US_ASCII).strip();
    }

    private Object webSetting(String key) throws IOException {
        Configuration web = configAdmin.getConfiguration(TlsSetup.PAX_WEB, null);
        return web.getProperties() == null ? null : web.getProperties().get(key);
    }

    private List<ServerConnector> tlsConnectors() {
        Server server = probe.getServer();
        List<ServerConnector> out = new ArrayList<>();
        if (server != null) {
            for (Connector c : server.getConnectors()) {
                if (c instanceof ServerConnector sc && c.getConnectionFactory(SslConnectionFactory.class) != null && sc.isRunning()) {
                    out.add(sc);
                }
            }
        }
        return out;
    }

    private static void reload(List<ServerConnector> connectors) throws IOException {
        for (ServerConnector c : connectors) {
            try {
                c.getConnectionFactory(SslConnectionFactory.class).getSslContextFactory().reload(f -> { });
            } catch (Exception e) {
                throw new IOException("the HTTPS connector on port " + c.getLocalPort() + " could not read the keystore again: " + e.getMessage(), e);
            }
        }
    }

    /** The leaf a new handshake with the connector presents. */
    private static X509Certificate served(ServerConnector c) throws IOException {
        String host = c.getHost() == null || c.getHost().isBlank() || "0.0.0.0".equals(c.getHost()) ? "127.0.0.1" : c.getHost();
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, c.getLocalPort()), 5000);
            socket.setSoTimeout(5000);
            return PresentedCertificate.over(socket, host, c.getLocalPort());
        } finally {
            socket.close();
        }
    }

    /** Added to Jetty's handlers by Pax Web, which hands it the server; it leaves every request to the others. */
    static final class ServerProbe extends AbstractHandler {
        @Override
        public void handle(String target, Request base, HttpServletRequest request, HttpServletResponse response) {
            // not this handler's: the request goes on to the next
        }

        @Override
        public String toString() {
            return "Portcullis HTTPS keystore reload";
        }
    }

    @Override
    public String toString() {
        return "HttpsKeystore" + Arrays.toString(new Object[] {dir});
    }
}
