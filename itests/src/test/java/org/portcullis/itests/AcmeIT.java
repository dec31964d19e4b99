package org.portcullis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * ACME against Debian's pebble and pebble-challtestsrv on loopback: the account, a certificate for
 * two names over HTTP-01 served by the HTTPS API and presented by a real Postfix's STARTTLS, a
 * forced renewal while a client polls the API every 100 ms, a name the CA refuses, bad input, and a
 * restore that brings the account and certificate back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AcmeIT {

    private static final String MAIL = "mail.portcullis.test";
    private static final String API = "api.portcullis.test";
    private static final String BLOCKED = "blocked.portcullis.test";

    private Path work;
    private PebbleServer pebble;
    private Distribution dist;
    private PostfixInstance gateway;
    private String password;
    private Path root;
    private Path backup;
    private String renewedSerial;

    @BeforeAll
    void startEverything() throws Exception {
        work = Paths.get("target", "acme-it", Long.toString(System.nanoTime())).toAbsolutePath();
        pebble = PebbleServer.start(work.resolve("pebble"), List.of(BLOCKED));
        root = work.resolve("pebble-root.pem");
        Files.writeString(root, pem(pebble.root()));

        // Postfix starts with a self-signed certificate: the one ACME replaces
        Path tls = Files.createDirectories(work.resolve("postfix-tls"));
        Path chain = tls.resolve("chain.pem");
        PostfixInstance.run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                tls.resolve("k.pem").toString(), "-out", tls.resolve("c.pem").toString(), "-days", "2", "-subj", "/CN=before-acme");
        Files.writeString(chain, Files.readString(tls.resolve("k.pem")) + Files.readString(tls.resolve("c.pem")));
        gateway = PostfixInstance.create("acme", Distribution.freePort(), Distribution.freePort(), null);
        gateway.tls(chain);

        dist = Distribution.unpack(work.resolve("dist"));
        Files.writeString(dist.home.resolve("etc/org.portcullis.acme.cfg"), String.join("\n", "directory.url = " + pebble.directory(),
                "directory.trust = " + pebble.tlsCa(), "http.address = 127.0.0.1", "http.port = " + pebble.httpPort,
                "postfix.chain.file = " + chain, "postfix.reload.command = " + gateway.command("reload"),
                "postfix.status.command = " + gateway.command("status"), "postfix.check = 127.0.0.1:" + gateway.smtpPort, "timeout.seconds = 30",
                ""));
        gateway.start();
        dist.start();
        password = dist.awaitFile(dist.home.resolve("data/portcullis/initial-admin-password")).strip();
        // HTTPS up, awaited by handshakes alone: no request reaches Jetty before the first order, which must then
        // find the TLS connector by a request of its own
        long end = System.nanoTime() + Distribution.DEADLINE.toNanos();
        while (true) {
            try {
                apiChain(false);
                break;
            } catch (java.io.IOException e) {
                assertTrue(System.nanoTime() < end, "HTTPS never came up: " + e);
                Thread.sleep(300);
            }
        }
        dist.awaitSsh(password, "acme:status", "CA:");
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (dist != null) {
            dist.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (pebble != null) {
            pebble.close();
        }
    }

    private String ssh(String command) throws Exception {
        return dist.ssh(password, command);
    }

    @Test
    @Order(1)
    void theAccountNeedsTheTermsAgreedTo() throws Exception {
        String refused = ssh("acme:account --contact admin@portcullis.test");
        assertTrue(refused.contains("the CA's terms of service must be agreed to (--agree-tos)"), refused);
        assertTrue(ssh("acme:status").contains("Account:     none"), "nothing was created");
        String made = ssh("acme:account --contact admin@portcullis.test --agree-tos");
        assertTrue(made.contains("Account https://127.0.0.1:" + pebble.port + "/my-account/"), made);
        assertTrue(ssh("acme:status").contains("(admin@portcullis.test)"));
    }

    @Test
    @Order(2)
    void aCertificateForTwoNamesIsServedByTheApiAndByPostfix() throws Exception {
        String out = ssh("acme:order " + MAIL + " " + API);
        assertTrue(out.contains(MAIL + ": valid") && out.contains(API + ": valid"), out);
        assertTrue(out.contains("HTTPS: serves it"), out);
        assertTrue(out.contains("Postfix: STARTTLS on 127.0.0.1:" + gateway.smtpPort + " presents it"), () -> out + "\n" + gateway.log());

        List<X509Certificate> served = apiChain(true);
        X509Certificate leaf = served.get(0);
        assertEquals(List.of(API, MAIL), sans(leaf), "the names asked for");
        String serial = leaf.getSerialNumber().toString(16);
        assertTrue(out.contains("Certificate " + serial + " issued"), out);

        String smtp = starttls();
        assertTrue(smtp.contains("Verify return code: 0 (ok)"), smtp);
        assertEquals(leaf, firstCertificate(smtp), "Postfix presents the same certificate");
        String status = ssh("acme:status");
        assertTrue(status.contains("This node:   https " + serial) && status.contains("This node:   postfix " + serial), status);
        assertTrue(Files.readString(dist.home.resolve("data/log/karaf.log")).contains("HTTPS now serves the certificate"));
    }

    @Test
    @Order(3)
    void aForcedRenewalReplacesBothWhileAClientPollsTheApiEvery100Ms() throws Exception {
        X509Certificate before = apiChain(true).get(0);
        String backupOut = ssh("backup:create --to " + (backup = dist.home.resolve("acme.pcbk")));
        assertTrue(backupOut.contains("Backup made"), backupOut);

        AtomicBoolean polling = new AtomicBoolean(true);
        List<long[]> answers = java.util.Collections.synchronizedList(new ArrayList<>()); // {nanoTime, ok}
        Thread poller = new Thread(() -> {
            while (polling.get()) {
                long t = System.nanoTime();
                boolean ok;
                try {
                    ok = apiAnswers();
                } catch (Exception e) {
                    ok = false;
                }
                answers.add(new long[] {System.nanoTime(), ok ? 1 : 0});
                long sleep = 100 - (System.nanoTime() - t) / 1_000_000;
                if (sleep > 0) {
                    try {
                        Thread.sleep(sleep);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        });
        poller.start();
        Thread.sleep(1000);
        String out = ssh("acme:renew --force");
        Thread.sleep(1000);
        polling.set(false);
        poller.join();
        assertTrue(out.contains("HTTPS: serves it") && out.contains("Postfix: STARTTLS"), out);

        long failed = answers.stream().filter(a -> a[1] == 0).count();
        long longest = 0;
        long last = -1;
        for (long[] a : answers) {
            if (a[1] == 1) {
                if (last > 0) {
                    longest = Math.max(longest, a[0] - last);
                }
                last = a[0];
            }
        }
        System.out.printf("ACME renewal under polling: %d requests, %d failed, longest gap between answers %d ms%n", answers.size(), failed,
                longest / 1_000_000);
        assertEquals(0, failed, "every request during the renewal was answered");

        X509Certificate after = apiChain(true).get(0);
        assertNotEquals(before.getSerialNumber(), after.getSerialNumber());
        renewedSerial = after.getSerialNumber().toString(16);
        assertEquals(after, firstCertificate(starttls()), "Postfix presents the renewed certificate");
    }

    @Test
    @Order(4)
    void aNameTheCaRefusesIsReportedOnItsOwnAndTheOtherIsIssued() throws Exception {
        String out = ssh("acme:order " + MAIL + " " + BLOCKED);
        assertTrue(out.contains(BLOCKED + ": not validated: rejectedIdentifier"), out);
        assertTrue(out.contains("for " + MAIL + " only; left out: " + BLOCKED), out);
        X509Certificate leaf = apiChain(true).get(0);
        assertEquals(List.of(MAIL), sans(leaf));
        String status = ssh("acme:status");
        assertTrue(status.matches("(?s).*Name:\\s+" + Pattern.quote(BLOCKED) + "\\s+failed\\s+rejectedIdentifier.*"), status);
        assertTrue(status.matches("(?s).*Name:\\s+" + Pattern.quote(MAIL) + "\\s+valid.*"), status);

        // the same through REST, with the admin's account
        SSLContext any = SSLContext.getInstance("TLS");
        any.init(null, new TrustManager[] {new AnyChain()}, null);
        String admin = ApiClient.basic("admin", password);
        LocalHttps.Response rest = LocalHttps.request(any, "127.0.0.1", dist.httpsPort, "GET", "/api/v1/certificates", admin, null);
        assertEquals(200, rest.status(), rest.body());
        var json = ApiClient.JSON.readTree(rest.body());
        assertEquals(leaf.getSerialNumber().toString(16), json.get("certificate").get("serial").asText(), rest.body());
        assertEquals(List.of(MAIL), List.of(json.get("certificate").get("names").get(0).asText()));
        boolean blockedFailed = false;
        for (var n : json.get("names")) {
            blockedFailed |= n.get("name").asText().equals(BLOCKED) && n.get("state").asText().equals("failed");
        }
        assertTrue(blockedFailed, rest.body());
        LocalHttps.Response bad = LocalHttps.request(any, "127.0.0.1", dist.httpsPort, "POST", "/api/v1/certificates/order", admin,
                "{\"names\": [\"bad name!\"]}");
        assertEquals(400, bad.status(), bad.body());
        assertEquals("invalid", ApiClient.JSON.readTree(bad.body()).get("error").asText(), bad.body());
        assertTrue(bad.body().contains("is not a DNS name"), bad.body());

        // its expiry in the metrics, for an alert well before it
        LocalHttps.Response metrics = LocalHttps.request(any, "127.0.0.1", dist.httpsPort, "GET", "/api/v1/metrics", admin, null);
        Matcher notAfter = Pattern.compile("(?m)^portcullis_certificate_not_after_timestamp_seconds ([0-9.E]+)$").matcher(metrics.body());
        assertTrue(notAfter.find(), metrics.body());
        assertEquals(leaf.getNotAfter().toInstant().getEpochSecond(), (long) Double.parseDouble(notAfter.group(1)));
    }

    @Test
    @Order(5)
    void badInputAndATakenPortLeaveTheRunningCertificateAlone() throws Exception {
        X509Certificate running = apiChain(true).get(0);
        String bad = ssh("acme:order mail_portcullis!.test");
        assertTrue(bad.contains("'mail_portcullis!.test' is not a DNS name"), bad);
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", pebble.httpPort));
            String refused = ssh("acme:order " + MAIL);
            assertTrue(refused.contains("the HTTP-01 responder cannot listen on 127.0.0.1:" + pebble.httpPort), refused);
        }
        assertEquals(running, apiChain(true).get(0), "the running certificate is untouched");
        String status = ssh("acme:status");
        assertTrue(status.contains("Failures:    1 in a row, next try not before"), status);
    }

    @Test
    @Order(6)
    void aRestoreBringsTheAccountAndTheCertificateBack() throws Exception {
        String restored = ssh("backup:restore " + backup);
        assertTrue(restored.contains("Backup restored: " + backup), restored);
        String status = dist.awaitSsh(password, "acme:status", "Account:     https://");
        assertTrue(status.contains("(admin@portcullis.test)"), status);
        // the backup was made before the forced renewal: its certificate is the first one, for both names
        Matcher m = Pattern.compile("Certificate: (\\w+) for ([^,]+, [^,]+),").matcher(status);
        assertTrue(m.find(), status);
        assertNotEquals(renewedSerial, m.group(1));
        assertEquals(MAIL + ", " + API, m.group(2), "in the order asked for");
    }

    @Test
    @Order(7)
    void aCaAnswering429IsNotAskedAgainBeforeItsRetryAfter() throws Exception {
        try (AcmeFront front = AcmeFront.start(pebble, work.resolve("pebble/tls-key.pem"))) {
            Path cfg = dist.home.resolve("etc/org.portcullis.acme.cfg");
            Files.writeString(cfg, Files.readString(cfg).replace("directory.url = " + pebble.directory(), "directory.url = " + front.directory())
                    + "backoff.seconds = 2\n");
            dist.awaitSsh(password, "acme:status", "CA:          " + front.directory());
            String account = ssh("acme:account --contact admin@portcullis.test --agree-tos");
            assertTrue(account.contains("Account https://127.0.0.1:" + front.port + "/my-account/"), "pebble names the relay: " + account);

            int retryAfter = 6;
            front.limitOrders(1, retryAfter);
            String limited = ssh("acme:renew --force");
            assertTrue(limited.contains("the CA limits orders: rateLimited: too many new orders recently"), limited);
            long limitedAt = front.orders().get(front.orders().size() - 1).millis();
            assertEquals(429, front.orders().get(front.orders().size() - 1).status());
            String early = ssh("acme:renew --force");
            assertTrue(early.contains("after 1 failed try the next is at"), early);

            String out = "";
            long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(40);
            while (!out.contains("issued") && System.nanoTime() < end) {
                Thread.sleep(500);
                out = ssh("acme:renew --force");
            }
            assertTrue(out.contains("issued"), out);
            List<AcmeFront.Seen> orders = front.orders();
            AcmeFront.Seen next = orders.stream().filter(o -> o.millis() > limitedAt).findFirst().orElseThrow();
            long waited = next.millis() - limitedAt;
            System.out.printf("ACME 429 with Retry-After %d s: the next new-order came %d ms later (relay's log)%n", retryAfter, waited);
            assertTrue(waited >= retryAfter * 1000L, "the next order came " + waited + " ms after the 429");
            assertEquals(201, next.status(), "and it was the one that succeeded: " + orders);
        }
    }

    @Test
    @Order(8)
    void dns01ThroughTheExampleNsupdateSolverAtBind() throws Exception {
        try (BindServer bind = BindServer.start(work.resolve("bind"));
                PebbleServer dnsCa = PebbleServer.start(work.resolve("pebble-dns"), List.of(), bind.port)) {
            Files.writeString(dist.home.resolve("etc/org.portcullis.example.nsupdate.cfg"), String.join("\n", "server = 127.0.0.1",
                    "port = " + bind.port, "zone = portcullis.test", "key.file = " + bind.keyFile(), ""));
            String install = ssh("bundle:install -s " + Paths.get(System.getProperty("portcullis.example.nsupdate")).toUri());
            assertTrue(install.contains("Bundle ID"), install);
            dist.awaitSsh(password, "service:list org.portcullis.acme.DnsChallengeSolver", "portcullis.dns.solver = nsupdate");
            Path cfg = dist.home.resolve("etc/org.portcullis.acme.cfg");
            Files.writeString(cfg, Files.readString(cfg).replaceAll("(?m)^directory\\.(url|trust) = .*$", "") + String.join("\n",
                    "directory.url = " + dnsCa.directory(), "directory.trust = " + dnsCa.tlsCa(), "challenge = dns-01", "dns.solver = nsupdate", ""));
            dist.awaitSsh(password, "acme:status", "CA:          " + dnsCa.directory());
            assertTrue(ssh("acme:account --contact admin@portcullis.test --agree-tos").contains("Account https://127.0.0.1:" + dnsCa.port));

            String out = ssh("acme:order " + MAIL);
            assertTrue(out.contains(MAIL + ": valid") && out.contains("HTTPS: serves it"), out + "\n" + bind.log());
            assertEquals(List.of(MAIL), sans(apiChain(dnsCa).get(0)), "issued by the second CA, whose DNS is BIND");
            String named = bind.log();
            assertTrue(named.contains("adding an RR at '_acme-challenge." + MAIL + "' TXT"), named);
            assertTrue(named.contains("deleting an RR at _acme-challenge." + MAIL + " TXT"), "cleaned up: " + named);
            assertEquals("", bind.txt("_acme-challenge." + MAIL + "."), "no record left behind");
        }
    }

    @Test
    @Order(9)
    void anAccountTheCaDoesNotKnowIsOneLineAndTheCertificateStays() throws Exception {
        Path cfg = dist.home.resolve("etc/org.portcullis.acme.cfg");
        Files.writeString(cfg, Files.readString(cfg).replaceAll("(?m)^(directory\\.(url|trust)|challenge|dns\\.solver) = .*$", "") + String.join("\n",
                "directory.url = " + pebble.directory(), "directory.trust = " + pebble.tlsCa(), "challenge = http-01", ""));
        dist.awaitSsh(password, "acme:status", "CA:          " + pebble.directory());
        assertTrue(ssh("acme:account --contact admin@portcullis.test --agree-tos").contains("Account https://127.0.0.1:" + pebble.port));
        X509Certificate running = apiChain(false).get(0);

        pebble.restart(); // the CA forgets the account: the stored key and URL are no account of it any more
        String out = ssh("acme:order " + MAIL);
        assertTrue(out.matches("(?s).*Error executing command: the order: (accountDoesNotExist|unauthorized|malformed): [^\\n]+\\s*"), out);
        assertEquals(running, apiChain(false).get(0), "the running certificate is untouched");
        String status = ssh("acme:status");
        assertTrue(status.contains("Failures:    1 in a row"), status);
    }

    // ---- helpers

    /** The chain the API presents, checked against pebble's root when {@code verify}. */
    private List<X509Certificate> apiChain(boolean verify) throws Exception {
        return apiChain(verify ? pebble : null);
    }

    /** The chain the API presents, checked against the root of {@code ca} (null: not checked). */
    private List<X509Certificate> apiChain(PebbleServer ca) throws Exception {
        TrustManager[] trust;
        if (ca != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("pebble-root", ca.root());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            trust = tmf.getTrustManagers();
        } else {
            trust = new TrustManager[] {new AnyChain()};
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, trust, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", dist.httpsPort)) {
            s.startHandshake(); // fails unless the chain verifies against pebble's root
            List<X509Certificate> out = new ArrayList<>();
            for (var c : s.getSession().getPeerCertificates()) {
                out.add((X509Certificate) c);
            }
            return out;
        }
    }

    /** One request on a new connection (a new TLS handshake). */
    private boolean apiAnswers() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new AnyChain()}, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", dist.httpsPort)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /api/v1/openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] head = in.readNBytes(12);
            return new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
        }
    }

    /** openssl s_client's STARTTLS conversation with Postfix, verifying against pebble's root. */
    private String starttls() throws Exception {
        Process p = new ProcessBuilder("openssl", "s_client", "-starttls", "smtp", "-connect", "127.0.0.1:" + gateway.smtpPort, "-CAfile", root.toString(),
                "-verify_return_error", "-showcerts").redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private static X509Certificate firstCertificate(String text) throws Exception {
        int start = text.indexOf("-----BEGIN CERTIFICATE-----");
        int end = text.indexOf("-----END CERTIFICATE-----", start);
        assertTrue(start >= 0 && end > start, text);
        String pem = text.substring(start, end + "-----END CERTIFICATE-----".length());
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    private static List<String> sans(X509Certificate c) throws Exception {
        List<String> out = new ArrayList<>();
        Collection<List<?>> names = c.getSubjectAlternativeNames();
        for (List<?> n : names) {
            out.add(String.valueOf(n.get(1)));
        }
        out.sort(null);
        return out;
    }

    private static String pem(X509Certificate c) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(c.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    private static final class AnyChain implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
