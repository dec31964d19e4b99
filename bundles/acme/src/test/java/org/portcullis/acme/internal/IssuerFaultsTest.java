package org.portcullis.acme.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.portcullis.acme.AcmeException;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/** A CA that is down, answers garbage or an error: one line each, naming what failed. */
class IssuerFaultsTest {

    private HttpsServer server;
    private SSLContext trust;
    private final AtomicReference<String[]> answer = new AtomicReference<>(); // {status, content type, body}

    @BeforeEach
    void start() throws Exception {
        KeyPair key = Keys.ec("secp256r1");
        X509Certificate cert = TestCertificates.selfSigned(key, "localhost", java.time.Instant.now(), "127.0.0.1").get(0);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("ca", key.getPrivate(), "x".toCharArray(), new X509Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "x".toCharArray());
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverContext));
        server.createContext("/", exchange -> {
            String[] a = answer.get();
            byte[] body = a[2].getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", a[1]);
            exchange.sendResponseHeaders(Integer.parseInt(a[0]), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        KeyStore t = KeyStore.getInstance("PKCS12");
        t.load(null, null);
        t.setCertificateEntry("ca", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(t);
        trust = SSLContext.getInstance("TLS");
        trust.init(null, tmf.getTrustManagers(), null);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private Issuer issuer() {
        return new Issuer(URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/dir"), trust, Duration.ofSeconds(5));
    }

    private static void oneLine(AcmeException e) {
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().length() < 600, e.getMessage());
    }

    @Test
    void garbageForADirectoryIsOneLine() {
        answer.set(new String[] {"200", "application/json", "<html>this is not a directory</html>"});
        AcmeException e = assertThrows(AcmeException.class, () -> issuer().terms());
        assertEquals(AcmeException.Code.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().startsWith("reading the directory at https://127.0.0.1:"), e.getMessage());
        oneLine(e);
    }

    @Test
    void aProblemFromTheCaIsItsTypeAndDetail() {
        answer.set(new String[] {"500", "application/problem+json",
            "{\"type\":\"urn:ietf:params:acme:error:serverInternal\",\"detail\":\"the database\\nis down\"}"});
        AcmeException e = assertThrows(AcmeException.class, () -> issuer().terms());
        assertTrue(e.getMessage().contains("serverInternal: the database is down"), e.getMessage());
        oneLine(e);
    }

    @Test
    void aCaThatIsDownIsOneLineNamingIt() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Issuer down = new Issuer(URI.create("https://127.0.0.1:" + closed + "/dir"), trust, Duration.ofSeconds(5));
        AcmeException e = assertThrows(AcmeException.class, down::terms);
        assertEquals(AcmeException.Code.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("127.0.0.1:" + closed), e.getMessage());
        oneLine(e);
    }

    @Test
    void aCaWhoseCertificateIsNotTrustedIsRefused() throws Exception {
        answer.set(new String[] {"200", "application/json", "{}"});
        Issuer untrusted = new Issuer(URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/dir"), null, Duration.ofSeconds(5));
        AcmeException e = assertThrows(AcmeException.class, untrusted::terms);
        assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("certif") || e.getMessage().contains("PKIX"), e.getMessage());
        oneLine(e);
    }
}
