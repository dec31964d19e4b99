package org.portcullis.rest.internal;

import java.io.IOException;
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
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;


import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
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
 * {@code SslContextFactory} is told to read it again. The connectors are learnt from requests:
 * Pax Web hands every registered Jetty {@code HttpConfiguration.Customizer} service to its
 * connectors, and the one registered here only notes the connector of each request (a Jetty
 * {@code Handler} service would reach the server too, but Pax Web rebuilds its server whenever a
 * handler comes or goes — at boot that raced the JAX-RS whiteboard and hung a later shutdown).
 * Before a swap with no running connector noted, one request to this node's HTTPS port makes
 * Jetty show it.
 */
@Component(immediate = true)
public class HttpsKeystore implements HttpsCertificate {

    private static final Logger LOG = LoggerFactory.getLogger(HttpsKeystore.class);

    @Reference
    private ConfigurationAdmin configAdmin;

    private final ConnectorProbe probe = new ConnectorProbe();
    private ServiceRegistration<HttpConfiguration.Customizer> registration;
    private Path dir = TlsSetup.directory();

    @Activate
    void activate(BundleContext context) {
        registration = context.registerService(HttpConfiguration.Customizer.class, probe, null);
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
    public synchronized void install(PrivateKey key, List<X509Certificate> chain) throws IOException {
        check(key, chain);
        Object configured = webSetting(TlsSetup.KEYSTORE);
        if (configured != null && !configured.toString().equals(keystore().toString())) {
            throw new IOException("HTTPS uses the admin's keystore " + configured + ", which is left alone");
        }
        List<ServerConnector> connectors = tlsConnectors();
        if (connectors.isEmpty()) {
            prime();
            connectors = tlsConnectors();
        }
        if (connectors.isEmpty()) {
            throw new IOException("no HTTPS connector answered (is org.osgi.service.http.secure.enabled true?)");
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

    /** The running TLS connectors that requests have come through. */
    private List<ServerConnector> tlsConnectors() {
        List<ServerConnector> out = new ArrayList<>();
        for (Connector c : probe.seen) {
            if (c instanceof ServerConnector sc && c.getConnectionFactory(SslConnectionFactory.class) != null && sc.isRunning()) {
                out.add(sc);
            }
        }
        return out;
    }

    /** One request to this node's HTTPS port, so that the customizer sees its connector. */
    private void prime() throws IOException {
        Object port = webSetting("org.osgi.service.http.port.secure");
        Object addresses = webSetting("org.ops4j.pax.web.listening.addresses");
        String host = "127.0.0.1";
        if (addresses != null) {
            String first = addresses.toString().split("[,\\s]+")[0].strip();
            if (!first.isEmpty() && !"0.0.0.0".equals(first)) {
                host = first;
            }
        }
        int p;
        try {
            p = Integer.parseInt(String.valueOf(port).strip());
        } catch (NumberFormatException e) {
            throw new IOException("org.osgi.service.http.port.secure is not a port: '" + port + "'");
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, p), 5000);
            socket.setSoTimeout(5000);
            PresentedCertificate.over(socket, host, p, ("GET /api/v1/openapi.json HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new IOException("HTTPS on " + host + ":" + p + " does not answer: " + e.getMessage(), e);
        }
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

    /** Handed to each connector by Pax Web; notes the connectors requests come through, changes nothing. */
    static final class ConnectorProbe implements HttpConfiguration.Customizer {
        final Set<Connector> seen = Collections.newSetFromMap(Collections.synchronizedMap(new WeakHashMap<>()));

        @Override
        public void customize(Connector connector, HttpConfiguration configuration, Request request) {
            if (!seen.contains(connector)) {
                seen.add(connector);
            }
        }

        @Override
        public String toString() {
            return "Portcullis HTTPS keystore reload";
        }
    }

    @Override
    public String toString() {
        return "HttpsKeystore[" + dir + "]";
    }
}
