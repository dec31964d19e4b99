package org.portcullis.milter.internal.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.portcullis.milter.internal.codec.Frames.frame;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.portcullis.milter.internal.codec.MilterProtocol;
import org.portcullis.milter.internal.server.MilterServer;
import org.portcullis.milter.internal.server.MtaClient;
import org.portcullis.milter.internal.session.Limits;
import org.portcullis.milter.internal.session.MailLog;
import org.portcullis.milter.internal.session.SessionSettings;
import org.portcullis.policy.ListDecision;
import org.portcullis.policy.ListPolicy;
import org.portcullis.policy.MessageHold;
import org.portcullis.policy.ListQuery;
import org.portcullis.scanner.Message;
import org.portcullis.scanner.MessageScanner;
import org.portcullis.scanner.Part;
import org.portcullis.scanner.PartScanner;
import org.portcullis.scanner.ScanResult;
import org.portcullis.scanner.Scanner;

/** The pipeline behind the real server: what an MTA gets for clean, infected, risky and unscannable mail. */
class PipelineFilterTest {

    @TempDir
    Path spool;

    private final ExecutorService workers = Executors.newFixedThreadPool(4);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final AtomicBoolean maintenance = new AtomicBoolean();
    private final List<Scanner> scanners = new CopyOnWriteArrayList<>();
    private final AtomicReference<ListPolicy> lists = new AtomicReference<>();
    private final AtomicReference<MessageHold> quarantine = new AtomicReference<>();
    private final MilterStats stats = new MilterStats();
    private final List<String> mailLog = new CopyOnWriteArrayList<>();
    private MilterServer server;

    /** Finds a marker anywhere in the raw message, as an antivirus engine would find a signature. */
    private static final MessageScanner MARKER_SCANNER = new MessageScanner() {
        public String name() {
            return "marker";
        }

        public ScanResult scan(Message m) throws IOException {
            try (InputStream in = m.openRaw()) {
                return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).contains("VIRUS-MARKER")
                        ? ScanResult.infected("Test.Marker") : ScanResult.clean();
            }
        }
    };

    /** Flags executables by their detected type, whatever their name says. */
    private static final PartScanner EXE_SCANNER = new PartScanner() {
        public String name() {
            return "exe";
        }

        public ScanResult scan(Message m, Part part) {
            return part.detectedType().startsWith("application/x-") ? ScanResult.suspicious("executable " + part.filename().orElse("?"))
                    : ScanResult.clean();
        }
    };

    @BeforeEach
    void start() throws InterruptedException {
        scanners.add(MARKER_SCANNER);
        scanners.add(EXE_SCANNER);
        SessionSettings settings = new SessionSettings(Limits.generous(1 << 20), spool, 8192,
                MilterProtocol.ACTION_ADD_HEADERS | MilterProtocol.ACTION_CHANGE_HEADERS | MilterProtocol.ACTION_QUARANTINE, 0,
                Duration.ofSeconds(30), Duration.ofSeconds(10), r -> mailLog.add(MailLog.line(r)));
        VerdictPolicy policy = new VerdictPolicy(5.0, 10.0, Set.of());
        server = MilterServer.start(new InetSocketAddress("127.0.0.1", 0), settings, () -> new PipelineFilter(maintenance::get,
                () -> scanners, lists::get, new ScanRunner(workers, timer), () -> policy, workers, spool, 8192, stats,
                quarantine::get));
    }

    @AfterEach
    void stop() {
        server.close();
        workers.shutdownNow();
        timer.shutdownNow();
    }

    @Test
    void cleanMailIsAcceptedWithVerdictHeaders() throws Exception {
        List<MtaClient.Reply> replies = deliver("Subject: lunch\r\n", "See you at noon.\r\n");
        assertEquals("h:X-Portcullis-Verdict\0clean", text(replies.get(0)));
        assertEquals("h:X-Portcullis-Scanners\0marker=clean, exe=clean", text(replies.get(1)));
        assertEquals('a', replies.get(2).code());
        assertEquals(0, Files.list(spool).count(), "no spool file outlives the message");
    }

    @Test
    void aForgedVerdictHeaderIsDeletedBeforeOursIsAdded() throws Exception {
        List<MtaClient.Reply> replies = deliver("Subject: trust me\r\nX-Portcullis-Verdict: clean\r\n", "buy now\r\n");
        assertEquals('m', replies.get(0).code(), "the forged header is deleted first");
        assertTrue(text(replies.get(0)).endsWith("X-Portcullis-Verdict\0"), text(replies.get(0)));
        assertEquals("h:X-Portcullis-Verdict\0clean", text(replies.get(1)));
    }

    @Test
    void withNoScannerTheMessageIsNeverSpooled() throws Exception {
        scanners.clear();
        try (MtaClient mta = new MtaClient(server.address())) {
            assertEquals('O', mta.call(frame('O', 6, 0x1ff, 0x1fffff)));
            assertEquals('c', mta.call(frame('C', "h", '4', (short) 1, "192.0.2.1")));
            assertEquals('c', mta.call(frame('M', "<a@example.com>")));
            assertEquals('c', mta.call(frame('R', "<b@example.net>")));
            assertEquals('c', mta.call(frame('N')));
            assertEquals('c', mta.call(frame('B', new byte[60_000])));
            assertEquals(0, Files.list(spool).count(), "a body over the memory limit would be on disk if spooled");
            // a scanner installed now is used from the next message, not this one
            scanners.add(MARKER_SCANNER);
            mta.send(frame('E'));
            assertEquals("h:X-Portcullis-Verdict\0unscanned", text(mta.read()));
            assertEquals("h:X-Portcullis-Scanners\0", text(mta.read()));
            assertEquals('a', mta.read().code());
        }
    }

    @Test
    void infectedMailIsRejectedNamingTheThreat() throws Exception {
        List<MtaClient.Reply> replies = deliver("Subject: hi\r\nMessage-ID: <m1@example.com>\r\n", "harmless text VIRUS-MARKER more text\r\n");
        assertEquals("y:550 5.7.1 Message rejected: virus Test.Marker found", text(replies.get(0)));
        assertEquals(1, replies.size());
        assertEquals(1, mailLog.size(), mailLog.toString());
        assertTrue(mailLog.get(0).matches("Q1TEST: stage=end client=client\\.example\\.com\\[192\\.0\\.2\\.7] from=a@example\\.com "
                + "to=b@example\\.net size=\\d+ msgid=<m1@example\\.com> scanners=marker:infected\\(Test\\.Marker\\):\\d+ms,exe:clean:\\d+ms "
                + "verdict=reject reply=\"550 5\\.7\\.1 Message rejected: virus Test\\.Marker found\" ms=\\d+"), mailLog.get(0));
    }

    @Test
    void anExecutableInDisguiseIsQuarantined() throws Exception {
        String mime = "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n";
        String body = "--b\r\nContent-Type: text/plain\r\n\r\nplease pay\r\n--b\r\n"
                + "Content-Type: application/pdf; name=invoice.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA4fug4AtAnNIbgBTM0hVGhpcyBwcm9ncmFt\r\n"
                + "--b--\r\n";
        List<MtaClient.Reply> replies = deliver(mime, body);
        List<String> texts = replies.stream().map(PipelineFilterTest::text).toList();
        assertTrue(texts.contains("h:X-Portcullis-Verdict\0suspicious"), texts.toString());
        assertTrue(texts.contains("q:exe: executable invoice.pdf"), texts.toString());
        assertEquals('a', replies.get(replies.size() - 1).code());
    }

    private static final String DISGUISED_EXE = "--b\r\nContent-Type: text/plain\r\n\r\nplease pay\r\n--b\r\n"
            + "Content-Type: application/pdf; name=invoice.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA4fug4AtAnNIbgBTM0hVGhpcyBwcm9ncmFt\r\n"
            + "--b--\r\n";

    @Test
    void aHeldMessageIsStoredInTheQuarantineBeforeTheMtaIsToldToDiscardIt() throws Exception {
        List<MessageHold.Held> held = new CopyOnWriteArrayList<>();
        List<String> contents = new CopyOnWriteArrayList<>();
        quarantine.set((h, content) -> {
            held.add(h);
            contents.add(new String(content.readAllBytes(), StandardCharsets.ISO_8859_1));
            return "42";
        });
        String headers = "Message-ID: <m1@example.com>\r\nX-Portcullis-Verdict: clean\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n";
        List<MtaClient.Reply> replies = deliver(headers, DISGUISED_EXE);
        assertEquals(List.of("d:"), replies.stream().map(PipelineFilterTest::text).toList(), "stored, so the MTA discards its copy");
        assertEquals(1, held.size());
        MessageHold.Held h = held.get(0);
        assertEquals(List.of("Q1TEST", "<m1@example.com>", "a@example.com", List.of("b@example.net"), "192.0.2.7",
                MessageHold.Category.POLICY, "exe: executable invoice.pdf"),
                List.of(h.queueId(), h.messageId(), h.sender(), h.recipients(), h.clientAddress(), h.category(), h.reason()));
        assertEquals("Message-ID: <m1@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n"
                + "X-Portcullis-Verdict: suspicious\r\nX-Portcullis-Scanners: marker=clean, exe=suspicious\r\n\r\n" + DISGUISED_EXE, contents.get(0),
                "the forged verdict header gone, ours added, the body as it came");
        assertTrue(mailLog.get(0).contains(" verdict=quarantine reply=\"quarantine 42: exe: executable invoice.pdf\""), mailLog.get(0));
    }

    @Test
    void aCopyTheQuarantineReleasedPassesOnceAndLosesItsHeader() throws Exception {
        List<String> checked = new CopyOnWriteArrayList<>();
        List<MessageHold.Held> held = new CopyOnWriteArrayList<>();
        quarantine.set(new MessageHold() {
            public String hold(Held h, java.io.InputStream content) throws IOException {
                content.readAllBytes();
                held.add(h);
                return "43";
            }

            public boolean releasedCopy(String header, String messageId, List<String> recipients) {
                checked.add(header + " " + messageId + " " + recipients);
                return header.equals("7.signed") && checked.size() == 1; // the quarantine's own answer: once
            }
        });
        String headers = "Message-ID: <m2@example.com>\r\nX-Portcullis-Release: 7.signed\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n";
        List<String> first = deliver(headers, DISGUISED_EXE).stream().map(PipelineFilterTest::text).toList();
        assertEquals(List.of("7.signed <m2@example.com> [b@example.net]"), checked);
        assertTrue(first.contains("m:\0\0\0\1X-Portcullis-Release\0"), "the header is removed on delivery: " + first);
        assertEquals("a:", first.get(first.size() - 1), "delivered, not held again: " + first);
        assertEquals(List.of(), held);

        List<String> replayed = deliver(headers, DISGUISED_EXE).stream().map(PipelineFilterTest::text).toList();
        assertEquals(List.of("d:"), replayed, "the same header again is held like any other mail");
        assertEquals(1, held.size());
    }

    @Test
    void aQuarantineThatCannotStoreMakesTheSenderRetry() throws Exception {
        quarantine.set((h, content) -> {
            throw new IOException("database down");
        });
        List<MtaClient.Reply> replies = deliver("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n", DISGUISED_EXE);
        assertEquals(List.of("t:"), replies.stream().map(PipelineFilterTest::text).toList(), "never accepted unless stored");
        assertTrue(mailLog.get(0).contains("error=\"deciding failed: java.lang.IllegalStateException: the quarantine could not store the held "
                + "message: database down\""), mailLog.get(0));
    }

    @Test
    void aScannerThatFailsMakesTheSenderRetry() throws Exception {
        scanners.add(new MessageScanner() {
            public String name() {
                return "broken";
            }

            public ScanResult scan(Message m) {
                throw new IllegalStateException("engine down");
            }
        });
        List<MtaClient.Reply> replies = deliver("Subject: x\r\n", "text\r\n");
        assertEquals("y:451 4.7.1 Message could not be scanned now, please try again later", text(replies.get(0)));
    }

    @Test
    void inMaintenanceNewMailGetsA4xxAtMail() throws Exception {
        maintenance.set(true);
        try (MtaClient mta = new MtaClient(server.address())) {
            assertEquals('O', mta.call(frame('O', 6, 0x1ff, 0x1fffff)));
            assertEquals('c', mta.call(frame('C', "h", '4', (short) 1, "192.0.2.1")));
            mta.send(frame('M', "<a@example.com>"));
            assertEquals("y:451 4.3.2 Service in maintenance, please try again later", text(mta.read()));
        }
        assertEquals(List.of("NOQUEUE: stage=mail client=h[192.0.2.1] from=a@example.com verdict=tempfail "
                + "reply=\"451 4.3.2 Service in maintenance, please try again later\""), mailLog);
    }


    /** Lists keyed by sender, by client address, or by header From, recording every question. */
    private static final class FakeLists implements ListPolicy {
        final List<ListQuery> asked = new CopyOnWriteArrayList<>();
        final java.util.Map<String, ListDecision> bySender = new java.util.concurrent.ConcurrentHashMap<>();
        final java.util.Map<String, ListDecision> byRecipient = new java.util.concurrent.ConcurrentHashMap<>();
        final java.util.Map<String, ListDecision> byHeaderFrom = new java.util.concurrent.ConcurrentHashMap<>();

        public ListDecision atRecipient(ListQuery q) {
            asked.add(q);
            ListDecision d = byRecipient.get(q.recipients().get(0));
            return d != null ? d : bySender.getOrDefault(q.sender(), ListDecision.NONE);
        }

        public ListDecision atEndOfMessage(ListQuery q) {
            asked.add(q);
            return q.headerFrom().stream().map(byHeaderFrom::get).filter(java.util.Objects::nonNull).findFirst()
                    .orElse(ListDecision.NONE);
        }
    }

    /** Says every message is heavy spam: would quarantine anything it sees. */
    private static final MessageScanner SPAM_SCANNER = new MessageScanner() {
        public String name() {
            return "spamcheck";
        }

        public Category category() {
            return Category.SPAM;
        }

        public ScanResult scan(Message m) {
            return ScanResult.spam(20.0, List.of("ALWAYS"));
        }
    };

    @Test
    void aBlockedSenderIsRejectedAtRcptForThatRecipientOnly() throws Exception {
        FakeLists fake = new FakeLists();
        fake.byRecipient.put("ceo@example.net", ListDecision.block("block sender bad@spam.example for ceo@example.net",
                "Sender blocked by recipient's Block list"));
        lists.set(fake);
        List<String> rcptReplies = new ArrayList<>();
        List<MtaClient.Reply> replies = deliver("<bad@spam.example>", List.of("<ceo@example.net>", "<info@example.net>"), rcptReplies,
                "Subject: offer\r\n", "text\r\n");
        assertEquals(List.of("y:550 5.7.1 Sender blocked by recipient's Block list", "c:"), rcptReplies);
        assertEquals("h:X-Portcullis-Verdict\0clean", text(replies.get(0)), "the other recipient still gets the message");
        ListQuery first = fake.asked.get(0);
        assertEquals("bad@spam.example", first.sender());
        assertEquals("192.0.2.7", first.client().orElseThrow().getHostAddress());
        ListQuery end = fake.asked.get(fake.asked.size() - 1);
        assertEquals(List.of("info@example.net"), end.recipients(), "a blocked recipient is not asked about at end of message");
        assertEquals(2, mailLog.size(), mailLog.toString());
        assertTrue(mailLog.get(0).startsWith("NOQUEUE: stage=rcpt client=client.example.com[192.0.2.7] from=bad@spam.example "
                + "to=ceo@example.net verdict=reject reply=\"550 5.7.1 Sender blocked by recipient's Block list\""), mailLog.get(0));
        assertTrue(mailLog.get(1).contains(" to=info@example.net size="), "the message line names the recipients it went on for: "
                + mailLog.get(1));
        assertTrue(mailLog.get(1).contains(" verdict=deliver reply=accept "), mailLog.get(1));
    }

    @Test
    void anAllowedSenderSkipsSpamScannersButNeverVirusScanning() throws Exception {
        scanners.add(SPAM_SCANNER);
        FakeLists fake = new FakeLists();
        fake.bySender.put("partner@trusted.example", ListDecision.allow("allow domain trusted.example (global)"));
        lists.set(fake);

        List<MtaClient.Reply> allowed = deliver("<partner@trusted.example>", List.of("<b@example.net>"), new ArrayList<>(),
                "Subject: newsletter\r\n", "cheap pills\r\n");
        List<String> texts = allowed.stream().map(PipelineFilterTest::text).toList();
        assertTrue(texts.contains("h:X-Portcullis-Verdict\0clean"), texts.toString());
        assertTrue(texts.contains("h:X-Portcullis-Scanners\0marker=clean, exe=clean"), "the spam scanner was skipped: " + texts);
        assertTrue(texts.contains("h:X-Portcullis-List\0allow domain trusted.example (global)"), texts.toString());

        List<MtaClient.Reply> infected = deliver("<partner@trusted.example>", List.of("<b@example.net>"), new ArrayList<>(),
                "Subject: newsletter\r\n", "VIRUS-MARKER\r\n");
        assertEquals("y:550 5.7.1 Message rejected: virus Test.Marker found", text(infected.get(0)));

        List<MtaClient.Reply> stranger = deliver("<someone@else.example>", List.of("<b@example.net>"), new ArrayList<>(),
                "Subject: newsletter\r\n", "cheap pills\r\n");
        assertTrue(stranger.stream().map(PipelineFilterTest::text).anyMatch(t -> t.startsWith("q:")), "not allowed: quarantined as spam");
    }

    @Test
    void allowedForOnlySomeRecipientsMeansScannedInFull() throws Exception {
        scanners.add(SPAM_SCANNER);
        FakeLists fake = new FakeLists();
        fake.byRecipient.put("fan@example.net", ListDecision.allow("allow for fan@example.net"));
        lists.set(fake);
        List<MtaClient.Reply> replies = deliver("<promo@shop.example>", List.of("<fan@example.net>", "<other@example.net>"),
                new ArrayList<>(), "Subject: sale\r\n", "text\r\n");
        List<String> texts = replies.stream().map(PipelineFilterTest::text).toList();
        assertTrue(texts.contains("h:X-Portcullis-Verdict\0spam"), texts.toString());
        assertTrue(texts.stream().noneMatch(t -> t.startsWith("h:X-Portcullis-List")), texts.toString());
    }

    @Test
    void aBlockedHeaderFromIsRejectedAtEndOfMessage() throws Exception {
        FakeLists fake = new FakeLists();
        fake.byHeaderFrom.put("\"Bank\" <security@phish.example>", ListDecision.block("block from phish.example", "From phish.example is blocked"));
        lists.set(fake);
        List<String> rcptReplies = new ArrayList<>();
        List<MtaClient.Reply> replies = deliver("<bounce@mailer.example>", List.of("<b@example.net>"), rcptReplies,
                "From: \"Bank\" <security@phish.example>\r\nSubject: verify\r\n", "click\r\n");
        assertEquals(List.of("c:"), rcptReplies);
        assertEquals("y:550 5.7.1 From phish.example is blocked", text(replies.get(0)));
        assertEquals(1, replies.size());
    }

    @Test
    void listsThatFailMakeTheSenderRetry() throws Exception {
        lists.set(new ListPolicy() {
            public ListDecision atRecipient(ListQuery q) {
                throw new IllegalStateException("index not loaded");
            }

            public ListDecision atEndOfMessage(ListQuery q) {
                return ListDecision.NONE;
            }
        });
        List<String> rcptReplies = new ArrayList<>();
        deliver("<a@example.com>", List.of("<b@example.net>"), rcptReplies, "Subject: x\r\n", "y\r\n");
        assertEquals(List.of("y:451 4.7.1 Sender could not be checked now, please try again later"), rcptReplies);
    }

    /** One message with the given header block and body; returns the end-of-message replies. */
    private List<MtaClient.Reply> deliver(String headers, String body) throws IOException {
        return deliver("<a@example.com>", List.of("<b@example.net>"), new ArrayList<>(), headers, body);
    }

    /**
     * One message; each RCPT's reply goes to {@code rcptReplies} (a rejected recipient is not an
     * error). Returns the end-of-message replies.
     */
    private List<MtaClient.Reply> deliver(String sender, List<String> rcpts, List<String> rcptReplies, String headers, String body)
            throws IOException {
        try (MtaClient mta = new MtaClient(server.address())) {
            assertEquals('O', mta.call(frame('O', 6, 0x1ff, 0x1fffff)));
            assertEquals('c', mta.call(frame('C', "client.example.com", '4', (short) 40000, "192.0.2.7")));
            assertEquals('c', mta.call(frame('M', sender)));
            for (String rcpt : rcpts) {
                mta.send(frame('R', rcpt));
                rcptReplies.add(text(mta.read()));
            }
            for (String line : headers.split("\r\n")) {
                int colon = line.indexOf(':');
                assertEquals('c', mta.call(frame('L', line.substring(0, colon), line.substring(colon + 1).strip())));
            }
            assertEquals('c', mta.call(frame('N')));
            assertEquals('c', mta.call(frame('B', body.getBytes(StandardCharsets.ISO_8859_1))));
            mta.send(frame('D', 'E', "i", "Q1TEST")); // Postfix sends the queue id with the end-of-message macros
            mta.send(frame('E'));
            List<MtaClient.Reply> replies = new ArrayList<>();
            MtaClient.Reply r;
            do {
                r = mta.read();
                replies.add(r);
            } while (r.code() == 'h' || r.code() == 'm' || r.code() == 'q' || r.code() == 'p');
            return replies;
        }
    }

    private static String text(MtaClient.Reply r) {
        return r.code() + ":" + r.text();
    }
}
