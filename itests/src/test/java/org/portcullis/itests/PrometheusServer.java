package org.portcullis.itests;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A real Prometheus server (Debian's {@code prometheus}) on loopback, scraping the distribution's
 * {@code /api/v1/metrics} every second over HTTPS with basic auth, trusting exactly the
 * distribution's generated certificate. Its query API answers what it scraped.
 */
final class PrometheusServer implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/prometheus");

    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static PrometheusServer scraping(Distribution dist, Path dir, String user, String password) throws Exception {
        Files.createDirectories(dir);
        Path ca = dir.resolve("portcullis.pem");
        Files.writeString(ca, pem(dist));
        Path secret = dir.resolve("password");
        Files.writeString(secret, password);
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, String.join("\n", "global:", "  scrape_interval: 1s", "scrape_configs:", "  - job_name: portcullis",
                "    scheme: https", "    metrics_path: /api/v1/metrics", "    basic_auth:", "      username: " + user,
                "      password_file: " + secret, "    tls_config:", "      ca_file: " + ca, "    static_configs:",
                "      - targets: ['127.0.0.1:" + dist.httpsPort + "']", ""));
        int port = Distribution.freePort();
        Process p = new ProcessBuilder(BINARY.toString(), "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--log.level=warn").redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        return new PrometheusServer(p, port);
    }

    /** The value of an instant query whose result is one number, or NaN while Prometheus has none (yet). */
    double query(String promql) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<String> r;
        try {
            r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException notUpYet) {
            return Double.NaN;
        }
        if (r.statusCode() != 200) {
            return Double.NaN; // "Service Unavailable" while it starts
        }
        JsonNode result = ApiClient.JSON.readTree(r.body()).path("data").path("result");
        return result.size() == 1 ? Double.parseDouble(result.get(0).get("value").get(1).asText()) : Double.NaN;
    }

    /** The scrape target's health as Prometheus sees it ({@code up}). */
    double up() throws IOException, InterruptedException {
        return query("up{job=\"portcullis\"}");
    }

    private static String pem(Distribution dist) throws Exception {
        String storePassword = Files.readString(dist.home.resolve("data/portcullis/tls/keystore.password")).strip();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(dist.home.resolve("data/portcullis/tls/keystore.p12"))) {
            ks.load(in, storePassword.toCharArray());
        }
        Certificate cert = ks.getCertificate("portcullis");
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
