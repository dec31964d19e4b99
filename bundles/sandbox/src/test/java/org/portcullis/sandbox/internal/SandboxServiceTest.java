package org.portcullis.sandbox.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.portcullis.milter.internal.service.TestParts;
import org.portcullis.policy.MessageHold;
import org.portcullis.quarantine.HeldMessage;
import org.portcullis.quarantine.internal.QuarantineService;
import org.portcullis.quarantine.internal.TestQuarantine;
import org.portcullis.quarantine.internal.TestSink;
import org.portcullis.sandbox.Finding;
import org.portcullis.sandbox.SandboxAnalyzer;
import org.portcullis.scanner.Part;
import org.portcullis.storage.internal.TestDatabase;

/**
 * The sandbox over a real PostgreSQL, the real quarantine and the milter's own MIME splitter,
 * releasing to Postfix's smtp-sink: clean mail is released, malicious mail stays held, and mail
 * whose analysis keeps failing is released after five failures, never stuck.
 */
class SandboxServiceTest {

    @TempDir
    Path spool;

    private TestSink sink;
    private QuarantineService quarantine;
    private SandboxService sandbox;

    @BeforeEach
    void start() throws Exception {
        TestDatabase.recreate("quarantine", QuarantineService.class, TestQuarantine.MIGRATIONS);
        TestDatabase.recreate("sandbox", getClass(), "V1__analyses.sql");
        sink = TestSink.start();
        quarantine = TestQuarantine.on(TestDatabase.get(), sink.port);
        sandbox = new SandboxService();
        sandbox.start(new SandboxStore(TestDatabase.get()), quarantine, TestParts.in(Files.createDirectories(spool.resolve("parts"))),
                config(5, 0));
    }

    @AfterEach
    void stop() throws Exception {
        sandbox.deactivate();
        sink.close();
    }

    /** The config's defaults, with these failures and retry seconds. */
    static SandboxConfig config(int maxFailures, int retrySeconds) {
        return new SandboxConfig() {
            public Class<? extends Annotation> annotationType() {
                return SandboxConfig.class;
            }

            public String hold() {
                return "risky";
            }

            public int threads() {
                return 8;
            }

            public int deadline_seconds() {
                return 10;
            }

            public int max_failures() {
                return maxFailures;
            }

            public int retry_seconds() {
                return retrySeconds;
            }

            public int poll_seconds() {
                return 5;
            }

            public int archive_max_depth() {
                return 3;
            }

            public int archive_max_entries() {
                return 1000;
            }

            public long archive_max_bytes() {
                return 100L << 20;
            }

            public int archive_max_ratio() {
                return 100;
            }

            public int pdf_max_objects() {
                return 200_000;
            }

            public long macro_max_bytes() {
                return 20L << 20;
            }
        };
    }

    /** A MIME message with these attachments (name → content), base64. */
    private static String message(String id, String... attachments) {
        StringBuilder b = new StringBuilder("From: a@example.org\r\nTo: bob@corp.example\r\nSubject: files\r\nMessage-ID: <" + id
                + "@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                + "Content-Type: text/plain\r\n\r\nsee attached\r\n");
        for (int i = 0; i < attachments.length; i += 2) {
            b.append("--b\r\nContent-Type: application/octet-stream; name=").append(attachments[i])
                    .append("\r\nContent-Transfer-Encoding: base64\r\n\r\n")
                    .append(Base64.getMimeEncoder().encodeToString(attachments[i + 1].getBytes(StandardCharsets.ISO_8859_1))).append("\r\n");
        }
        return b.append("--b--\r\n").toString();
    }

    private long hold(String id, String content) throws IOException {
        return Long.parseLong(quarantine.hold(new MessageHold.Held("Q" + id, "<" + id + "@example.org>", "a@example.org",
                List.of("bob@corp.example"), "192.0.2.7", MessageHold.Category.SANDBOX, "sandbox: report.pdf is analysed first", List.of()),
                new ByteArrayInputStream(content.getBytes(StandardCharsets.ISO_8859_1))));
    }

    private String state(long id) {
        return sandbox.analyses(null, 100).stream().filter(a -> a.message() == id).findFirst().orElseThrow().state();
    }

    static String zipOf(String name, String content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry(name));
            z.write(content.getBytes(StandardCharsets.ISO_8859_1));
            z.closeEntry();
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void cleanAttachmentsAreReleasedAndAProgramInDisguiseStaysHeld() throws Exception {
        long clean = hold("clean", message("clean", "report.pdf", TestPdfs.plain("a report"), "notes.zip", zipOf("notes.txt", "minutes")));
        long bad = hold("bad", message("bad", "invoice.pdf", "MZ\u0090\u0000\u0003 this program cannot be run in DOS mode"));
        assertEquals(2, sandbox.cycle());
        assertEquals("clean", state(clean));
        assertEquals("malicious", state(bad));
        SandboxService.Analysis a = sandbox.analyses("malicious", 10).get(0);
        assertTrue(a.findings().stream().anyMatch(f -> f.startsWith("type: invoice.pdf: executable in disguise (detected application/")),
                a.findings().toString());
        assertEquals(1, sink.messages().size(), "only the clean one was delivered");
        assertTrue(sink.messages().get(0).contains("Message-ID: <clean@example.org>"));
        HeldMessage kept = quarantine.get(bad, SandboxService.SYSTEM).orElseThrow();
        assertEquals("held", kept.recipients().get(0).state());
        assertEquals("sandbox", quarantine.get(clean, SandboxService.SYSTEM).orElseThrow().recipients().get(0).changedBy());
        assertEquals(0, sandbox.cycle(), "nothing is analysed twice");
    }

    @Test
    void aMessageWithAThousandAttachmentsIsAnalysedWholeAndReleasedOnce() throws Exception {
        String[] files = new String[2000];
        for (int i = 0; i < 1000; i++) {
            files[2 * i] = "part-" + i + ".txt";
            files[2 * i + 1] = "line " + i;
        }
        files[1998] = "part-999.pdf";
        files[1999] = TestPdfs.plain("the last one");
        long id = hold("thousand", message("thousand", files));
        long start = System.nanoTime();
        assertEquals(1, sandbox.cycle());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals("clean", state(id));
        assertEquals(1, sink.messages().size(), "released once");
        System.out.println("SandboxServiceTest: 1000 attachments analysed by the built-in analysers in " + millis + " ms");

        // the same with a program as the 1000th: found, kept
        files[1998] = "part-999.exe";
        long bad = hold("thousand-bad", message("thousand-bad", files));
        assertEquals(1, sandbox.cycle());
        assertEquals("malicious", state(bad));
        assertEquals(1, sink.messages().size());
    }

    @Test
    void mailWhoseAnalysisFailsFiveTimesIsReleasedNeverStuck() throws Exception {
        sandbox.add(new SandboxAnalyzer() {
            public String name() {
                return "broken";
            }

            public Finding analyze(Part attachment) {
                throw new IllegalStateException("engine crashed");
            }
        });
        long id = hold("retry", message("retry", "report.pdf", TestPdfs.plain("a report")));
        for (int i = 1; i <= 4; i++) {
            assertEquals(1, sandbox.cycle());
            assertEquals("pending", state(id));
            assertEquals(0, sink.messages().size(), "not released after " + i + " failures");
        }
        assertEquals(1, sandbox.cycle());
        assertEquals("released-unanalysed", state(id));
        SandboxService.Analysis a = sandbox.analyses(null, 10).get(0);
        assertEquals(5, a.attempts());
        assertTrue(a.lastError().isEmpty(), a.lastError());
        assertEquals(1, sink.messages().size());
    }

    @Test
    void anAnalyserThatHangsCountsAsFailedAtItsDeadlineOnTheScheduledLook() throws Exception {
        sandbox.add(new SandboxAnalyzer() {
            public String name() {
                return "hangs";
            }

            public java.time.Duration deadline() {
                return java.time.Duration.ofMillis(300);
            }

            public Finding analyze(Part attachment) throws InterruptedException {
                Thread.sleep(60_000);
                return Finding.clean();
            }
        });
        long id = hold("hang", message("hang", "report.pdf", TestPdfs.plain("report")));
        sandbox.lookNow().get(20, java.util.concurrent.TimeUnit.SECONDS); // the deadlines fire although the look waits on its own thread
        SandboxService.Analysis a = sandbox.analysis(id).orElseThrow();
        assertEquals(1, a.attempts());
        assertTrue(a.lastError().contains("hangs: 1.1: no answer within 300 ms") || a.lastError().contains("hangs: report.pdf: no answer"),
                a.lastError());
    }

    @Test
    void theRetryWaitsItsBackOff() throws Exception {
        sandbox.deactivate();
        sandbox = new SandboxService();
        sandbox.start(new SandboxStore(TestDatabase.get()), quarantine, TestParts.in(spool), config(5, 60));
        sandbox.add(new SandboxAnalyzer() {
            public String name() {
                return "broken";
            }

            public Finding analyze(Part attachment) {
                throw new IllegalStateException("engine crashed");
            }
        });
        hold("later", message("later", "report.pdf", TestPdfs.plain("report")));
        assertEquals(1, sandbox.cycle());
        assertEquals(0, sandbox.cycle(), "the next try is a minute away");
        assertTrue(sandbox.analyses("pending", 1).get(0).lastError().contains("engine crashed"));
    }

    @Test
    void retriesOfMessagesThatFailedTogetherAreSpreadOut() throws Exception {
        SandboxStore store = new SandboxStore(TestDatabase.get());
        List<Long> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            long id = hold("spread" + i, message("spread" + i, "report.pdf", TestPdfs.plain("report")));
            store.enqueue(id, "Qspread" + i);
            store.failed(id, "engine down", 100_000, 3_600_000);
            store.failed(id, "engine down", 100_000, 3_600_000); // the second failure: 200 s, spread by ±20 %
            ids.add(id);
        }
        Instant now = Instant.now();
        java.util.Set<Long> waits = new java.util.TreeSet<>();
        for (SandboxService.Analysis a : sandbox.analyses("pending", 100)) {
            if (ids.contains(a.message())) {
                long wait = Duration.between(now, a.nextTry()).toSeconds();
                assertTrue(wait >= 155 && wait <= 241, "200 s ± 20 %: " + wait);
                waits.add(wait);
            }
        }
        assertTrue(waits.size() >= 4, "twelve messages that failed together come back at different moments: " + waits);
    }

    @Test
    void mailReleasedByAnAdminMeanwhileIsLeftAlone() throws Exception {
        long id = hold("gone", message("gone", "report.pdf", TestPdfs.plain("report")));
        new SandboxStore(TestDatabase.get()).enqueue(id, "Qgone"); // queued by an earlier look
        quarantine.release(id, Set.of(), SandboxService.SYSTEM);
        assertEquals(1, sandbox.cycle());
        assertEquals("gone", state(id));
        assertEquals(1, sink.messages().size(), "released once, by the admin, not again by the sandbox");
    }
}
