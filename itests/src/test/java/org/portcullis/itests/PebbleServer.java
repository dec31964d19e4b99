package org.portcullis.itests;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Debian's pebble (a test ACME CA) and pebble-challtestsrv (its DNS: every name is 127.0.0.1) on
 * loopback, each on free ports; or pebble asking another DNS server (BIND for DNS-01). Pebble's own HTTPS uses a certificate made here ({@link #tlsCa()});
 * it validates HTTP-01 on {@code httpPort} of whatever the name resolves to, and issues from a root
 * it makes at start-up ({@link #root()}, from its management port).
 */
final class PebbleServer implements AutoCloseable {

    static final Path PEBBLE = Path.of("/usr/bin/pebble");
    static final Path CHALLTESTSRV = Path.of("/usr/bin/pebble-challtestsrv");

    final int port;
    final int managementPort;
    final int httpPort;
    final int dnsPort;
    final int challManagementPort;
    private final Path dir;
    private Process pebble;
    private final Process dns;

    private PebbleServer(Path dir, int port, int managementPort, int httpPort, int dnsPort, int challManagementPort, Process pebble, Process dns) {
        this.dir = dir;
        this.port = port;
        this.managementPort = managementPort;
        this.httpPort = httpPort;
        this.dnsPort = dnsPort;
        this.challManagementPort = challManagementPort;
        this.pebble = pebble;
        this.dns = dns;
    }

    /** Starts both; names in {@code blocked} are refused by the CA at the order. */
    static PebbleServer start(Path dir, List<String> blocked) throws Exception {
        return start(dir, blocked, 0);
    }

    /** Starts pebble asking the DNS server on {@code dnsServerPort} (not 0), or with a pebble-challtestsrv of its own (0). */
    static PebbleServer start(Path dir, List<String> blocked, int dnsServerPort) throws Exception {
        if (!Files.isExecutable(PEBBLE) || !Files.isExecutable(CHALLTESTSRV)) {
            throw new IllegalStateException(PEBBLE + " not found: run ./run-tests, which installs pebble");
        }
        Files.createDirectories(dir);
        PostfixInstance.run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                dir.resolve("tls-key.pem").toString(), "-out", dir.resolve("tls-cert.pem").toString(), "-days", "2", "-subj", "/CN=pebble test CA",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost");
        int port = Distribution.freePort();
        int management = Distribution.freePort();
        int http = Distribution.freePort();
        int tls = Distribution.freePort();
        int dnsPort = dnsServerPort != 0 ? dnsServerPort : Distribution.freePort();
        int challManagement = Distribution.freePort();
        Process dns = dnsServerPort != 0 ? null : new ProcessBuilder(CHALLTESTSRV.toString(), "-dns01", "127.0.0.1:" + dnsPort, "-http01", "",
                "-https01", "", "-tlsalpn01", "", "-management", "127.0.0.1:" + challManagement, "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "")
                .redirectErrorStream(true).redirectOutput(dir.resolve("challtestsrv.log").toFile()).start();
        StringBuilder blocklist = new StringBuilder();
        for (String b : blocked) {
            blocklist.append(blocklist.length() == 0 ? "" : ", ").append('"').append(b).append('"');
        }
        Path config = dir.resolve("pebble-config.json");
        Files.writeString(config, String.join("\n", "{", "  \"pebble\": {", "    \"listenAddress\": \"127.0.0.1:" + port + "\",",
                "    \"managementListenAddress\": \"127.0.0.1:" + management + "\",", "    \"certificate\": \"" + dir.resolve("tls-cert.pem") + "\",",
                "    \"privateKey\": \"" + dir.resolve("tls-key.pem") + "\",", "    \"httpPort\": " + http + ",", "    \"tlsPort\": " + tls + ",",
                "    \"ocspResponderURL\": \"\",", "    \"externalAccountBindingRequired\": false,", "    \"domainBlocklist\": [" + blocklist + "]",
                "  }", "}", ""));
        Process pebble = launch(dir, dnsPort);
        PebbleServer server = new PebbleServer(dir, port, management, http, dnsPort, challManagement, pebble, dns);
        try {
            server.awaitPort(port);
            server.awaitPort(management);
            if (dns != null) {
                server.awaitPort(challManagement);
            }
            return server;
        } catch (Exception e) {
            server.close();
            throw e;
        }
    }

    private static Process launch(Path dir, int dnsPort) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(PEBBLE.toString(), "-config", dir.resolve("pebble-config.json").toString(), "-dnsserver",
                "127.0.0.1:" + dnsPort).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("pebble.log").toFile()));
        pb.environment().put("PEBBLE_VA_NOSLEEP", "1");
        pb.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
        return pb.start();
    }

    /** Stops pebble and starts it again on the same ports: it has forgotten every account and issues under a new root. */
    void restart() throws Exception {
        pebble.destroy();
        pebble.waitFor(10, TimeUnit.SECONDS);
        pebble.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        pebble = launch(dir, dnsPort);
        awaitPort(port);
        awaitPort(managementPort);
    }

    private void awaitPort(int p) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", p)) {
                return;
            } catch (IOException e) {
                if (System.nanoTime() > end || !pebble.isAlive() || (dns != null && !dns.isAlive())) {
                    throw new IOException("pebble did not listen on " + p + ": " + log());
                }
                Thread.sleep(100);
            }
        }
    }

    String directory() {
        return "https://127.0.0.1:" + port + "/dir";
    }

    /** The PEM of the certificate pebble's own HTTPS uses (what the appliance must trust for the directory). */
    Path tlsCa() {
        return dir.resolve("tls-cert.pem");
    }

    /** The root pebble issues under, from its management interface. */
    X509Certificate root() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (var in = Files.newInputStream(tlsCa())) {
            ks.setCertificateEntry("pebble-tls", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + managementPort + "/roots/0")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("pebble's /roots/0 answered " + r.statusCode());
        }
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(r.body()));
    }

    String log() {
        try {
            return Files.readString(dir.resolve("pebble.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        for (Process p : dns == null ? List.of(pebble) : List.of(pebble, dns)) {
            p.destroy();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            p.destroyForcibly();
        }
    }
}
