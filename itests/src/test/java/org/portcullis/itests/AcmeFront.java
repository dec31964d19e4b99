package org.portcullis.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS relay in front of pebble that keeps a log of every request (time, method, path, status)
 * and can answer the next new-order requests with 429 and a {@code Retry-After}, as a CA's rate
 * limit does (pebble 2.4 has none). Each request is relayed on a connection of its own with the
 * client's {@code Host}, so pebble's URLs name the relay; its answer goes back with
 * {@code Connection: close}. It serves pebble's own TLS certificate.
 */
final class AcmeFront implements AutoCloseable {

    /** One request as the relay saw it. */
    record Seen(long millis, String method, String path, int status) {
    }

    final int port;
    final List<Seen> log = Collections.synchronizedList(new ArrayList<>());
    private final SSLServerSocket server;
    private final SSLContext upstream;
    private final int pebblePort;
    private volatile int limitOrders;
    private volatile int retryAfterSeconds;

    private AcmeFront(SSLServerSocket server, SSLContext upstream, int pebblePort) {
        this.server = server;
        this.upstream = upstream;
        this.pebblePort = pebblePort;
        this.port = server.getLocalPort();
        Thread t = new Thread(this::accept, "acme-front");
        t.setDaemon(true);
        t.start();
    }

    static AcmeFront start(PebbleServer pebble, Path keyPem) throws Exception {
        X509Certificate cert;
        try (var in = Files.newInputStream(pebble.tlsCa())) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        String key = Files.readString(keyPem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey pk = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(key)));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("front", pk, "x".toCharArray(), new Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "x".toCharArray());
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("pebble", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);
        SSLServerSocket s = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        return new AcmeFront(s, client, pebble.port);
    }

    String directory() {
        return "https://127.0.0.1:" + port + "/dir";
    }

    /** The next {@code orders} new-order requests get 429 with {@code Retry-After: seconds}. */
    void limitOrders(int orders, int seconds) {
        retryAfterSeconds = seconds;
        limitOrders = orders;
    }

    /** The new-order requests seen so far. */
    List<Seen> orders() {
        synchronized (log) {
            return log.stream().filter(s -> s.method().equals("POST") && s.path().startsWith("/order-plz")).toList();
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket c = server.accept();
                Thread t = new Thread(() -> relay(c), "acme-front-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void relay(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            String requestLine = line(in);
            if (requestLine == null || requestLine.isEmpty()) {
                return;
            }
            StringBuilder head = new StringBuilder(requestLine).append("\r\n");
            int length = 0;
            for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                String lower = h.toLowerCase(Locale.ROOT);
                if (lower.startsWith("connection:") || lower.startsWith("upgrade:") || lower.startsWith("http2-settings:")) {
                    continue;
                }
                if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(h.substring(h.indexOf(':') + 1).strip());
                }
                head.append(h).append("\r\n");
            }
            head.append("Connection: close\r\n\r\n");
            byte[] body = in.readNBytes(length);
            String[] parts = requestLine.split(" ");
            byte[] answer;
            try (SSLSocket up = (SSLSocket) upstream.getSocketFactory().createSocket("127.0.0.1", pebblePort)) {
                OutputStream o = up.getOutputStream();
                o.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                o.write(body);
                o.flush();
                answer = up.getInputStream().readAllBytes();
            }
            String text = new String(answer, StandardCharsets.ISO_8859_1);
            int status = Integer.parseInt(text.split(" ", 3)[1]);
            if (parts[0].equals("POST") && parts[1].startsWith("/order-plz") && limitOrders > 0) {
                limitOrders--;
                String nonce = header(text, "replay-nonce");
                String problem = "{\"type\":\"urn:ietf:params:acme:error:rateLimited\",\"detail\":\"too many new orders recently (test relay)\"}";
                answer = ("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/problem+json\r\nRetry-After: " + retryAfterSeconds + "\r\n"
                        + (nonce == null ? "" : "Replay-Nonce: " + nonce + "\r\n") + "Content-Length: " + problem.length() + "\r\nConnection: close\r\n\r\n"
                        + problem).getBytes(StandardCharsets.ISO_8859_1);
                status = 429;
            }
            log.add(new Seen(System.currentTimeMillis(), parts[0], parts[1], status));
            OutputStream out = client.getOutputStream();
            out.write(answer);
            out.flush();
        } catch (IOException | RuntimeException e) {
            // the client sees the connection close
        }
    }

    private static String header(String response, String name) {
        for (String l : response.split("\r\n")) {
            if (l.isEmpty()) {
                break;
            }
            int colon = l.indexOf(':');
            if (colon > 0 && l.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals(name)) {
                return l.substring(colon + 1).strip();
            }
        }
        return null;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
