package org.portcullis.scanner.clamav.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.portcullis.scanner.ScanResult;
import org.portcullis.scanner.testkit.ScannerContractTest;
import org.portcullis.scanner.testkit.TestMessage;

/** The ClamAV scanner against a real clamd. */
class ClamavScannerTest extends ScannerContractTest<ClamavScanner> {

    private static Path dir;
    private static ClamdProcess clamd;
    private static ClamavScanner tcpScanner;

    @BeforeAll
    static void startClamd() throws Exception {
        dir = Files.createTempDirectory("portcullis-clamd");
        clamd = ClamdProcess.start(dir);
        tcpScanner = scanner(clamd.tcp(), ClamdProcess.STREAM_MAX);
    }

    @AfterAll
    static void stopClamd() throws Exception {
        tcpScanner.deactivate();
        if (clamd != null) {
            clamd.close();
        }
        ClamdProcess.deleteQuietly(dir);
    }

    @Override
    protected ClamavScanner scanner() {
        return tcpScanner;
    }

    @Test
    void eicarInTheBodyIsInfected() throws Exception {
        ScanResult r = tcpScanner.scan(TestMessage.builder().text(new String(ClamdProcess.eicar()) + "\r\n").build());
        ScanResult.Infected infected = assertInstanceOf(ScanResult.Infected.class, r);
        assertTrue(infected.threat().startsWith("Portcullis.Test.EICAR"), infected.threat());
    }

    @Test
    void eicarInsideAZipAttachmentIsInfected() throws Exception {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(zip)) {
            z.putNextEntry(new ZipEntry("readme.com"));
            z.write(ClamdProcess.eicar());
            z.closeEntry();
        }
        ScanResult r = tcpScanner.scan(TestMessage.builder().attachment("docs.zip", "application/zip", zip.toByteArray()).build());
        assertInstanceOf(ScanResult.Infected.class, r);
    }

    /** ClamAV's nested-archive sample: clam.exe inside nine gzipped tars. */
    private static byte[] cacheEmax() throws Exception {
        Path file = ClamdProcess.TESTFILES.resolve("clam_cache_emax.tgz");
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " not found: run ./run-tests, which installs clamav-testfiles");
        }
        return Files.readAllBytes(file);
    }

    @Test
    void anArchiveNestedDeepInAMessageIsFoundAsClamdFindsItAlone() throws Exception {
        byte[] tgz = cacheEmax();
        ClamdClient raw = new ClamdClient(ClamdAddress.parse(clamd.tcp()), java.time.Duration.ofSeconds(20), ClamdProcess.STREAM_MAX, 1,
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor());
        try {
            ScanResult alone = raw.scan(() -> new java.io.ByteArrayInputStream(tgz), tgz.length);
            assertEquals(ScanResult.infected("Portcullis.Test.ClamExe.UNOFFICIAL"), alone, "clamd finds the file on its own");
            TestMessage mail = TestMessage.builder().text("the logs, as asked\r\n").attachment("logs.tgz", "application/gzip", tgz).build();
            ScanResult whole = raw.scan(mail::openRaw, mail.size());
            ScanResult.Infected limit = assertInstanceOf(ScanResult.Infected.class, whole,
                    "sent as the whole message the nesting goes past MaxRecursion");
            assertTrue(limit.threat().startsWith("Heuristics.Limits.Exceeded"), limit.threat());

            assertEquals(ScanResult.infected("Portcullis.Test.ClamExe.UNOFFICIAL"), tcpScanner.scan(mail), "the scanner sends the attachment on its own");
        } finally {
            raw.close();
        }
    }

    @Test
    void aMessageOfOneTextPartIsNotSplit() throws Exception {
        TestMessage text = TestMessage.builder().text("just words\r\n").build();
        org.portcullis.scanner.Message unsplittable = new org.portcullis.scanner.Message() {
            public org.portcullis.scanner.Envelope envelope() {
                return text.envelope();
            }

            public java.util.List<Header> headers() {
                return text.headers();
            }

            public java.util.List<org.portcullis.scanner.Part> parts() {
                throw new AssertionError("a single text part needs no MIME parse");
            }

            public java.io.InputStream openRaw() {
                return text.openRaw();
            }

            public long size() {
                return text.size();
            }
        };
        assertEquals(ScanResult.clean(), tcpScanner.scan(unsplittable));
        TestMessage pdf = TestMessage.builder().attachment("a.pdf", "application/pdf", new byte[10]).build();
        assertTrue(ClamavScanner.mayHoldAttachments(pdf));
        assertFalse(ClamavScanner.attachment(pdf.parts().get(2)), "a PDF is read whole inside the message: no second scan");
        TestMessage tgz = TestMessage.builder().attachment("logs.tgz", "application/octet-stream", "application/octet-stream", new byte[10]).build();
        assertTrue(ClamavScanner.attachment(tgz.parts().get(2)), "an archive by its name");
        byte[] pk = {'P', 'K', 3, 4, 20, 0, 0, 0};
        TestMessage zip = TestMessage.builder().attachment("report.pdf", "application/pdf", "application/zip", pk).build();
        assertTrue(ClamavScanner.attachment(zip.parts().get(2)), "a disguised archive by its first bytes");
        byte[] tar = new byte[600];
        System.arraycopy("ustar".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, tar, 257, 5);
        assertTrue(ClamavScanner.attachment(TestMessage.builder().attachment("x.dat", "application/octet-stream", tar).build().parts().get(2)));
    }

    @Test
    void aPartClamdCannotScanToTheEndIsInfectedByDefaultOrWhatTheAdminChose() throws Exception {
        byte[] nested = ClamdProcess.eicar();
        for (int i = 0; i < 20; i++) { // twenty zips deep: past clamd's MaxRecursion (17) even alone
            ByteArrayOutputStream zip = new ByteArrayOutputStream();
            try (ZipOutputStream z = new ZipOutputStream(zip)) {
                z.putNextEntry(new ZipEntry("level" + i + (i == 0 ? ".com" : ".zip")));
                z.write(nested);
                z.closeEntry();
            }
            nested = zip.toByteArray();
        }
        TestMessage mail = TestMessage.builder().text("see attached\r\n").attachment("deep.zip", "application/zip", nested).build();
        ScanResult.Infected byDefault = assertInstanceOf(ScanResult.Infected.class, tcpScanner.scan(mail));
        assertTrue(byDefault.threat().startsWith("Heuristics.Limits.Exceeded") && byDefault.threat().endsWith("in part 1.2"),
                byDefault.threat());
        ClamavScanner failing = scanner(clamd.tcp(), ClamdProcess.STREAM_MAX, "failed");
        ClamavScanner lenient = scanner(clamd.tcp(), ClamdProcess.STREAM_MAX, "Clean");
        try {
            ScanResult.Failed f = assertInstanceOf(ScanResult.Failed.class, failing.scan(mail));
            assertTrue(f.reason().startsWith("clamd could not scan all of it: Heuristics.Limits.Exceeded"), f.reason());
            assertEquals(ScanResult.clean(), lenient.scan(mail));
            assertEquals(ScanResult.infected("Portcullis.Test.ClamExe.UNOFFICIAL"), lenient.scan(TestMessage.builder().text("x\r\n")
                    .attachment("logs.tgz", "application/gzip", cacheEmax()).build()), "a limit hit on the whole message alone is settled by the parts");
        } finally {
            failing.deactivate();
            lenient.deactivate();
        }
        assertEquals("limits.exceeded 'sometimes': use infected, failed or clean",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> scanner(clamd.tcp(), ClamdProcess.STREAM_MAX, "sometimes")).getMessage());
    }

    @Test
    void worksOverTheUnixSocketToo() throws Exception {
        ClamavScanner unix = scanner(clamd.unix(), ClamdProcess.STREAM_MAX);
        try {
            assertEquals(ScanResult.clean(), unix.scan(cleanMessage()));
            assertInstanceOf(ScanResult.Infected.class, unix.scan(TestMessage.builder().text(new String(ClamdProcess.eicar())).build()));
            assertTrue(unix.healthy());
        } finally {
            unix.deactivate();
        }
    }

    @Test
    void aMessageOverTheStreamLimitFailsWithoutBeingCalledClean() throws Exception {
        ClamavScanner small = scanner(clamd.tcp(), 1000);
        try {
            ScanResult.Failed f = assertInstanceOf(ScanResult.Failed.class,
                    small.scan(TestMessage.builder().text("x".repeat(5000)).build()));
            assertTrue(f.reason().contains("stream limit of 1000"), f.reason());
        } finally {
            small.deactivate();
        }
        // clamd's own limit: a scanner configured above it gets clamd's error, not "clean"
        ClamavScanner tooHigh = scanner(clamd.tcp(), 10L * ClamdProcess.STREAM_MAX);
        try {
            ScanResult r = tooHigh.scan(TestMessage.builder().text("y".repeat((int) ClamdProcess.STREAM_MAX + 100_000)).build());
            ScanResult.Failed f = assertInstanceOf(ScanResult.Failed.class, r);
            assertTrue(f.reason().contains("size limit"), f.reason());
        } finally {
            tooHigh.deactivate();
        }
    }

    @Test
    void clamdNotListeningIsAFailureNamingTheAddress() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        ClamavScanner down = scanner("127.0.0.1:" + closedPort, ClamdProcess.STREAM_MAX);
        try {
            ScanResult.Failed f = assertInstanceOf(ScanResult.Failed.class, down.scan(cleanMessage()));
            assertTrue(f.reason().contains("127.0.0.1:" + closedPort), f.reason());
            assertFalse(down.healthy());
        } finally {
            down.deactivate();
        }
    }

    @Test
    void badAddressesAreRefusedInOneLine() {
        for (String bad : new String[] {"", "localhost", "host:", "host:abc", "host:70000", "unix:"}) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> ClamdAddress.parse(bad));
            assertTrue(e.getMessage().contains("clamd address"), e.getMessage());
        }
    }

    @Test
    void repliesAreParsed() {
        assertEquals(ScanResult.clean(), ClamdClient.parse("stream: OK"));
        assertEquals(ScanResult.infected("Win.Test.EICAR_HDB-1"), ClamdClient.parse("stream: Win.Test.EICAR_HDB-1 FOUND"));
        assertInstanceOf(ScanResult.Failed.class, ClamdClient.parse("INSTREAM size limit exceeded. ERROR"));
        assertInstanceOf(ScanResult.Failed.class, ClamdClient.parse(""));
    }

    static ClamavScanner scanner(String address, long streamMax) {
        return scanner(address, streamMax, "infected");
    }

    static ClamavScanner scanner(String address, long streamMax, String limitsExceeded) {
        ClamavScanner s = new ClamavScanner();
        s.activate(new ClamavScanner.Config() {
            public String address() {
                return address;
            }

            public int timeout_seconds() {
                return 20;
            }

            public long stream_max_bytes() {
                return streamMax;
            }

            public int max_connections() {
                return 4;
            }

            public String limits_exceeded() {
                return limitsExceeded;
            }

            public Class<? extends Annotation> annotationType() {
                return ClamavScanner.Config.class;
            }
        });
        return s;
    }
}
