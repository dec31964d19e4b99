package org.portcullis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

import org.junit.jupiter.api.Test;
import org.portcullis.updater.pack.UpdatePack;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * update:check and update:download against an HTTPS update server the container trusts through
 * its JVM's trust store: a tampered package is deleted and never offered, a download cut off
 * half-way is kept as a part and resumed with a Range request, and the same through REST.
 */
class UpdateDownloadIT {

    private static final String VERSION = System.getProperty("portcullis.version");

    /**
     * A tiny HTTPS update server over one folder (TLS sockets, HTTP/1.0, one request per
     * connection), with Range requests; it can cut the next package it sends short by closing
     * the connection half-way, as a network that fails would.
     */
    private static final class UpdateServer implements AutoCloseable {
        final SSLServerSocket socket;
        final Path dir;
        final List<String> ranges = new CopyOnWriteArrayList<>();
        final AtomicBoolean cutNext = new AtomicBoolean();
        final Thread acceptor;

        UpdateServer(Path dir, Path keystore) throws Exception {
            this.dir = dir;
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(keystore)) {
                ks.load(in, "changeit".toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, "changeit".toCharArray());
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(kmf.getKeyManagers(), null, null);
            socket = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        Thread t = new Thread(() -> serve(s), "update-server");
                        t.setDaemon(true);
                        t.start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "update-server-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String url() {
            return "https://127.0.0.1:" + socket.getLocalPort() + "/portcullis/";
        }

        private void serve(Socket s) {
            try (s) {
                var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), java.nio.charset.StandardCharsets.ISO_8859_1));
                String request = in.readLine();
                String range = null;
                for (String h; (h = in.readLine()) != null && !h.isEmpty();) {
                    if (h.regionMatches(true, 0, "Range:", 0, 6)) {
                        range = h.substring(6).trim();
                    }
                }
                OutputStream out = s.getOutputStream();
                String path = request == null ? "" : request.split(" ")[1];
                Path file = path.startsWith("/portcullis/") ? dir.resolve(path.substring("/portcullis/".length())).normalize() : null;
                if (file == null || !file.startsWith(dir) || !Files.isRegularFile(file)) {
                    out.write("HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                    return;
                }
                byte[] all = Files.readAllBytes(file);
                int from = 0;
                String head;
                if (range != null) {
                    ranges.add(range);
                    from = Integer.parseInt(range.substring("bytes=".length(), range.indexOf('-')));
                    head = "HTTP/1.0 206 Partial Content\r\nContent-Range: bytes " + from + "-" + (all.length - 1) + "/" + all.length + "\r\n";
                } else {
                    head = "HTTP/1.0 200 OK\r\n";
                }
                out.write((head + "Content-Length: " + (all.length - from) + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                boolean cut = file.getFileName().toString().endsWith(".pcup") && cutNext.getAndSet(false);
                int end = cut ? from + (all.length - from) / 2 : all.length;
                out.write(all, from, end - from);
                out.flush();
            } catch (IOException | RuntimeException e) {
                // the client went away
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void aDownloadIsVerifiedResumedAndOnlyThenOffered() throws Exception {
        Path parent = Paths.get("target", "update-download-it", Long.toString(System.nanoTime())).toAbsolutePath();
        Path keys = Files.createDirectories(parent.resolve("keys"));
        UpdaterIT.writeKeyPair(keys, "release");
        Path tls = tls(parent.resolve("tls"));
        Path served = Files.createDirectories(parent.resolve("served"));
        try (Distribution dist = Distribution.unpack(parent)) {
            Files.copy(keys.resolve("release.pub.pem"), dist.home.resolve("etc/portcullis-update-keys.pem"));
            Path next = UpdaterIT.nextVersion(dist.home, parent.resolve("next"), "0.1.1");
            String name = "portcullis-update-" + VERSION + "-0.1.1.pcup";
            Path good = parent.resolve(name);
            UpdatePack.run("--from", dist.home.toString(), "--to", next.toString(), "--signing-key", keys.resolve("release.pem").toString(),
                    "--out", good.toString());
            byte[] tampered = Files.readAllBytes(good);
            tampered[tampered.length - 100] ^= 1;
            Files.write(served.resolve(name), tampered);
            Files.writeString(served.resolve("index"), "# offered\nportcullis-update-0.0.9-" + VERSION + ".pcup\n" + name + " " + tampered.length + "\n");

            UpdateServer server = new UpdateServer(served, tls.resolve("server.p12"));
            Files.writeString(dist.home.resolve("etc/org.portcullis.updater.cfg"), "update.url = " + server.url() + "\n");
            dist.start(Map.of("EXTRA_JAVA_OPTS", "-Djavax.net.ssl.trustStore=" + tls.resolve("trust.p12")
                    + " -Djavax.net.ssl.trustStorePassword=changeit -Djavax.net.ssl.trustStoreType=PKCS12"));
            try (server) {
                String password = dist.awaitFile(dist.home.resolve("data/portcullis/initial-admin-password")).strip();
                String check = dist.awaitSsh(password, "update:check", "Offered");
                assertTrue(check.contains("Offered: " + VERSION + " -> 0.1.1  " + name), check);
                assertFalse(check.contains("0.0.9"), "only what updates the running version: " + check);

                // a package that does not verify is deleted, not kept, not resumed
                String bad = dist.ssh(password, "update:download");
                assertTrue(bad.contains("the downloaded " + name + " was deleted: ") && bad.contains("does not match its SHA-256"), bad);
                assertTrue(dist.ssh(password, "update:list").contains("No update package is kept here"));
                Path partial = dist.home.resolve("data/portcullis/updates/packages/partial/" + name + ".part");
                assertFalse(Files.exists(partial));

                // the good one, cut off half-way: the part stays, is not offered, and the next try resumes it
                Files.copy(good, served.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                server.cutNext.set(true);
                String cut = dist.ssh(password, "update:download 0.1.1");
                assertTrue(cut.contains("downloading " + server.url() + name + ": ") && cut.contains("update:download again goes on from there"), cut);
                assertTrue(Files.isRegularFile(partial) && Files.size(partial) > 0 && Files.size(partial) < Files.size(good), "a part is kept: " + cut);
                assertTrue(dist.ssh(password, "update:list").contains("No update package is kept here"), "a part is never offered");
                long had = Files.size(partial);
                String kept = dist.ssh(password, "update:download");
                assertTrue(kept.contains("Kept " + name), kept);
                assertEquals(List.of("bytes=" + had + "-"), server.ranges, "resumed from the part");
                assertTrue(kept.contains("signature and every file verified"), kept);
                assertFalse(Files.exists(partial));
                assertEquals(-1, Files.mismatch(good, dist.home.resolve("data/portcullis/updates/packages/" + name)));
                // the same through REST, as a job
                ApiClient api = new ApiClient(dist);
                String auth = ApiClient.basic("admin", password);
                JsonNode offers = ApiClient.json(api.call("GET", "/updates/offers", auth, null));
                assertEquals("0.1.1", offers.get(0).get("to").asText(), offers.toString());
                JsonNode job = api.job(auth, api.call("POST", "/updates/downloads", auth, "{\"to\": \"0.1.1\"}"));
                assertEquals("succeeded", job.get("state").asText(), job.toString());
                assertEquals(name, job.get("file").asText());
                assertEquals(Files.size(good), job.get("bytesDone").asLong());
                JsonNode checks = ApiClient.json(api.call("GET", "/updates/precheck?file=" + name, auth, null));
                assertTrue(checks.get(0).get("passed").asBoolean(), checks.toString());
                var unknown = api.call("POST", "/updates/apply", auth, "{\"file\": \"../../etc/passwd\"}");
                assertEquals(400, unknown.statusCode());
                assertTrue(unknown.body().contains("no kept update package is named '../../etc/passwd'"), unknown.body());
                var noDownload = api.call("POST", "/updates/downloads", auth, "{\"to\": \"9.9.9\"}");
                assertEquals(400, noDownload.statusCode());
                assertTrue(noDownload.body().contains("no update to 9.9.9 is offered for the running version"), noDownload.body());
                String log = Files.readString(dist.home.resolve("data/log/karaf.log"));
                assertFalse(log.contains("Exception caught while executing command"), "refusals are one line, not stack traces");
                dist.ssh(password, "system:shutdown -f");
                dist.awaitExit();
            }
        }
    }

    /** A server key and certificate for 127.0.0.1 (server.p12) and a trust store holding the certificate (trust.p12), by keytool. */
    private static Path tls(Path dir) throws Exception {
        Files.createDirectories(dir);
        String keytool = Paths.get(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "updates", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1",
                "-validity", "2", "-keystore", dir.resolve("server.p12").toString(), "-storepass", "changeit", "-storetype", "PKCS12");
        run(keytool, "-exportcert", "-alias", "updates", "-keystore", dir.resolve("server.p12").toString(), "-storepass", "changeit",
                "-file", dir.resolve("server.crt").toString());
        run(keytool, "-importcert", "-noprompt", "-alias", "updates", "-file", dir.resolve("server.crt").toString(), "-keystore",
                dir.resolve("trust.p12").toString(), "-storepass", "changeit", "-storetype", "PKCS12");
        return dir;
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
    }
}
