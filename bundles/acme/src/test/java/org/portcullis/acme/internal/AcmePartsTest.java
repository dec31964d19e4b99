package org.portcullis.acme.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.portcullis.acme.AcmeException;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.toolbox.JSON;

/** The ACME bundle's parts that need no CA: names, timing, keys, Postfix's file, the order's problems, the HTTP-01 responder. */
class AcmePartsTest {

    private static final java.net.URL CA = url("https://ca.example/");

    @TempDir
    Path dir;

    private static java.net.URL url(String u) {
        try {
            return URI.create(u).toURL();
        } catch (java.net.MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void namesAreLowerCasedDeduplicatedAndEachADnsName() {
        assertEquals(List.of("mail.example.com", "api.example.com"), Timing.names(List.of("Mail.Example.com.", "api.example.com,mail.example.com")));
        for (String bad : List.of("*.example.com", "192.0.2.1", "mail_1.example.com", "example", "-a.example.com", "a..example.com", "")) {
            AcmeException e = assertThrows(AcmeException.class, () -> Timing.names(List.of(bad)), bad);
            assertEquals(AcmeException.Code.INVALID, e.code());
            assertTrue(bad.isEmpty() ? e.getMessage().equals("no name given") : e.getMessage().startsWith("'" + bad + "' is not a DNS name"), e.getMessage());
        }
        List<String> many = IntStream.range(0, 101).mapToObj(i -> "n" + i + ".example.com").toList();
        assertEquals("101 names: a certificate takes at most 100", assertThrows(AcmeException.class, () -> Timing.names(many)).getMessage());
    }

    @Test
    void renewalIsInTheCasWindowOrAtAThirdOfTheLifetimeLeft() {
        Instant nb = Instant.parse("2026-01-01T00:00:00Z");
        Instant na = Instant.parse("2026-03-31T00:00:00Z"); // 89 days
        assertEquals(nb.plus(Duration.ofHours(89 * 24 * 2 / 3)), Timing.renewAt(nb, na, Optional.empty(), Optional.empty()));
        Instant start = Instant.parse("2026-03-01T00:00:00Z");
        Instant end = Instant.parse("2026-03-02T00:00:00Z");
        for (int i = 0; i < 200; i++) {
            Instant at = Timing.renewAt(nb, na, Optional.of(start), Optional.of(end));
            assertFalse(at.isBefore(start) || at.isAfter(end), at.toString());
        }
        assertEquals(nb.plus(Duration.ofHours(89 * 24 * 2 / 3)), Timing.renewAt(nb, na, Optional.of(end), Optional.of(start)),
                "a window that ends before it starts is ignored");
    }

    @Test
    void backOffDoublesUpToItsCapSpreadsAndNeverComesBeforeTheCasRetryAfter() {
        Instant now = Instant.parse("2026-06-01T12:00:00Z");
        Duration base = Duration.ofMinutes(15);
        Duration cap = Duration.ofHours(24);
        List<Long> firsts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            long s = Duration.between(now, Timing.nextTry(now, 1, base, cap, Optional.empty())).toSeconds();
            assertTrue(s >= 720 && s <= 1080, "15 min ±20 %: " + s);
            firsts.add(s);
            long third = Duration.between(now, Timing.nextTry(now, 3, base, cap, Optional.empty())).toSeconds();
            assertTrue(third >= 2880 && third <= 4320, "60 min ±20 %: " + third);
            long capped = Duration.between(now, Timing.nextTry(now, 40, base, cap, Optional.empty())).toSeconds();
            assertTrue(capped >= 69120 && capped <= 103680, "24 h ±20 %: " + capped);
        }
        assertTrue(firsts.stream().distinct().count() > 50, "spread, so nodes and appliances do not retry in step");
        Instant retryAfter = now.plus(Duration.ofHours(3));
        assertEquals(retryAfter, Timing.nextTry(now, 1, base, cap, Optional.of(retryAfter)));
        assertTrue(Timing.nextTry(now, 1, base, cap, Optional.of(now.plusSeconds(1))).isAfter(now.plusSeconds(700)),
                "a Retry-After sooner than the back-off does not shorten it");
    }

    @Test
    void keysRoundTripThroughPemWithTheJdkAlone() throws Exception {
        KeyPair key = Keys.ec("secp384r1");
        KeyPair back = Keys.read(Keys.pem(key));
        Signature s = Signature.getInstance("SHA384withECDSA");
        s.initSign(back.getPrivate());
        s.update(new byte[] {1, 2, 3});
        byte[] sig = s.sign();
        s.initVerify(key.getPublic());
        s.update(new byte[] {1, 2, 3});
        assertTrue(s.verify(sig));
        assertEquals("not a PEM key pair (a PRIVATE KEY and a PUBLIC KEY block)", assertThrows(IOException.class, () -> Keys.read(
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")).getMessage());
        String pub = Keys.pem(key).substring(Keys.privatePem(key).length());
        assertTrue(assertThrows(IOException.class, () -> Keys.read("-----BEGIN PRIVATE KEY-----\nAAAAAAAA\n-----END PRIVATE KEY-----\n" + pub))
                .getMessage().startsWith("not an EC key pair"));
    }

    @Test
    void postfixsFileHasTheKeyThenTheChainIsPrivateAndKeepsThePrevious() throws Exception {
        KeyPair key = Keys.ec("secp256r1");
        List<X509Certificate> chain = TestCertificates.selfSigned(key, "mail.example.com");
        Path file = dir.resolve("tls/chain.pem");
        Installer.writeChainFile(file, key, chain);
        String text = Files.readString(file);
        assertTrue(text.startsWith("-----BEGIN PRIVATE KEY-----") && text.indexOf("-----BEGIN CERTIFICATE-----") > 0, text);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(chain, Installer.chain(text));
        // OpenSSL (what Postfix uses) reads both
        assertEquals(0, new ProcessBuilder("openssl", "pkey", "-in", file.toString(), "-noout").inheritIO().start().waitFor());
        Process x509 = new ProcessBuilder("openssl", "x509", "-in", file.toString(), "-noout", "-subject").redirectErrorStream(true).start();
        assertTrue(new String(x509.getInputStream().readAllBytes(), StandardCharsets.UTF_8).contains("mail.example.com"));

        KeyPair second = Keys.ec("secp256r1");
        Installer.writeChainFile(file, second, TestCertificates.selfSigned(second, "new.example.com"));
        assertTrue(Installer.restoreChainFile(file));
        assertEquals(text, Files.readString(file), "the previous file is back");
        assertFalse(Installer.restoreChainFile(file), "only once");

        // an install cut off before its proof: the next one keeps the last proven file as the previous
        Installer.writeChainFile(file, second, TestCertificates.selfSigned(second, "cut.example.com"));
        KeyPair third = Keys.ec("secp256r1");
        Installer.writeChainFile(file, third, TestCertificates.selfSigned(third, "next.example.com"));
        assertTrue(Installer.restoreChainFile(file));
        assertEquals(text, Files.readString(file), "the proven file, not the unproven one in between");
        Installer.writeChainFile(file, third, TestCertificates.selfSigned(third, "next.example.com"));
        Installer.proven(file);
        assertFalse(Installer.restoreChainFile(file), "proven: nothing kept to go back to");
    }

    @Test
    void anExpiredCertificateOrOneOfAnotherKeyIsNotInstalled() throws Exception {
        KeyPair key = Keys.ec("secp256r1");
        X509Certificate cert = TestCertificates.selfSigned(key, "mail.example.com").get(0);
        assertEquals(null, Installer.unusable(key, cert));
        assertEquals("its key is not the stored key", Installer.unusable(Keys.ec("secp256r1"), cert));
        X509Certificate old = TestCertificates.selfSigned(key, "mail.example.com", Instant.now().minus(Duration.ofDays(10))).get(0);
        assertTrue(Installer.unusable(key, old).startsWith("it is not valid now ("), Installer.unusable(key, old));
    }

    @Test
    void aNameTheCaRefusesAtTheOrderIsFoundInItsProblem() {
        Problem sub = new Problem(JSON.parse("{\"type\":\"urn:ietf:params:acme:error:rejectedIdentifier\",\"detail\":\"policy forbids it\","
                + "\"identifier\":{\"type\":\"dns\",\"value\":\"bad.example.com\"}}"), CA);
        Problem withSubs = new Problem(JSON.parse("{\"type\":\"urn:ietf:params:acme:error:rejectedIdentifier\",\"detail\":\"some names\","
                + "\"subproblems\":[" + sub.asJSON() + "]}"), CA);
        assertEquals(List.of(new Issuer.Refused("bad.example.com", "rejectedIdentifier: policy forbids it")),
                Issuer.refusedAtOrder(withSubs, List.of("good.example.com", "bad.example.com")));
        Problem inDetail = new Problem(JSON.parse("{\"type\":\"urn:ietf:params:acme:error:rejectedIdentifier\",\"detail\":"
                + "\"Order included an identifier for which issuance is forbidden by policy: \\\"bad.example.com\\\"\"}"), CA);
        assertEquals(List.of("bad.example.com"), Issuer.refusedAtOrder(inDetail, List.of("example.com", "bad.example.com")).stream()
                .map(Issuer.Refused::name).toList(), "a name inside another is not mistaken for it");
        Problem other = new Problem(JSON.parse("{\"type\":\"urn:ietf:params:acme:error:serverInternal\",\"detail\":\"bad.example.com broke\"}"), CA);
        assertTrue(Issuer.refusedAtOrder(other, List.of("bad.example.com")).isEmpty(), "only a refusal of names leaves names out");
        assertEquals("serverInternal: bad.example.com broke", Issuer.reason(other));
    }

    @Test
    void theResponderServesLiveTokensOnlyAndSaysWhenItsPortIsTaken() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (Http01Responder r = new Http01Responder()) {
            r.open("127.0.0.1", 0);
            String base = "http://127.0.0.1:" + r.port() + Http01Responder.PREFIX;
            r.put("tok-1", "tok-1.thumbprint");
            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(base + "tok-1")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode());
            assertEquals("tok-1.thumbprint", ok.body());
            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "tok-2")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.port() + "/tok-1")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), "only under the challenge path");
            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "tok-1")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), "GET only");
            r.remove("tok-1");
            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "tok-1")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            try (Http01Responder r = new Http01Responder()) {
                IOException e = assertThrows(IOException.class, () -> r.open("127.0.0.1", taken.getLocalPort()));
                assertTrue(e.getMessage().startsWith("the HTTP-01 responder cannot listen on 127.0.0.1:" + taken.getLocalPort() + " ("), e.getMessage());
                assertTrue(e.getMessage().endsWith("is the port taken?"), e.getMessage());
            }
        }
    }
}
