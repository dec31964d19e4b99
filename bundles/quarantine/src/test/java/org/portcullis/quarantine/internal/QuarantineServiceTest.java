package org.portcullis.quarantine.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.portcullis.auth.Account;
import org.portcullis.auth.Right;
import org.portcullis.auth.Role;
import org.portcullis.core.cluster.Fence;
import org.portcullis.policy.MessageHold;
import org.portcullis.quarantine.HeldMessage;
import org.portcullis.quarantine.Quarantine;
import org.portcullis.quarantine.QuarantineException;
import org.portcullis.quarantine.QuarantineQuery;
import org.portcullis.storage.internal.TestDatabase;

/**
 * The quarantine against a real PostgreSQL and a real SMTP listener (Postfix's {@code smtp-sink},
 * which writes every message it accepts to a file): held content comes back byte for byte, a
 * release sends once, rights and scopes refuse, a listener that is down leaves the mail held.
 */
class QuarantineServiceTest {

    private static final Account ADMIN = account("admin", Role.ADMIN, Set.of(), Set.of());

    private QuarantineService service;
    private TestSink sink;
    private int port;

    @BeforeEach
    void start() throws Exception {
        TestDatabase.recreate("quarantine", getClass(), TestQuarantine.MIGRATIONS);
        sink = TestSink.start();
        port = sink.port;
        service = TestQuarantine.on(TestDatabase.get(), port);
    }

    @AfterEach
    void stop() throws Exception {
        sink.close();
    }

    private static Account account(String name, Role role, Set<String> scopes, Set<Right> rights) {
        return new Account(name, role, new TreeSet<>(scopes), rights, Instant.EPOCH);
    }

    private List<String> sunk() throws IOException {
        return sink.messages();
    }

    /** A message over three chunks, with a line that starts with a dot (the release must dot-stuff it). */
    private static byte[] bigMessage() {
        StringBuilder b = new StringBuilder("Message-ID: <big@example.org>\r\nSubject: held\r\nX-Portcullis-Verdict: suspicious\r\n\r\n");
        b.append(".a line starting with a dot\r\n");
        for (int i = 0; b.length() < 600_000; i++) {
            b.append("line ").append(i).append(" \u00e9 some text to fill the body of a large held message\r\n");
        }
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private long hold(MessageHold.Category category, byte[] content, String... recipients) throws IOException {
        return Long.parseLong(service.hold(new MessageHold.Held("Q1", "<big@example.org>", "alice@example.org", List.of(recipients),
                "192.0.2.7", category, "exe: executable invoice.pdf", List.of("exe:suspicious(executable invoice.pdf):3ms")),
                new ByteArrayInputStream(content)));
    }

    @Test
    void aHeldMessageIsReleasedOncePerRecipientWithItsContentAsItCame() throws Exception {
        byte[] content = bigMessage();
        long id = hold(MessageHold.Category.POLICY, content, "bob@corp.example", "carol@corp.example");
        HeldMessage m = service.get(id, ADMIN).orElseThrow();
        assertEquals(content.length, m.size());
        assertEquals(List.of("held", "held"), m.recipients().stream().map(HeldMessage.Recipient::state).toList());
        try (Connection c = TestDatabase.get().getConnection(); InputStream in = new QuarantineStore(TestDatabase.get()).content(c, id)) {
            assertArrayEquals(content, in.readAllBytes(), "stored in chunks, read back whole");
        }

        Quarantine.Outcome first = service.release(id, Set.of("bob@corp.example"), ADMIN);
        assertEquals(List.of("bob@corp.example"), first.done());
        assertTrue(first.reply().startsWith("250"), first.reply());
        List<String> sunk = sunk();
        assertEquals(1, sunk.size());
        assertTrue(sunk.get(0).startsWith("X-Client-Addr: 127.0.0.1\nX-Client-Proto: SMTP\nX-Helo-Args: test.localhost\n"
                + "X-Mail-Args: <alice@example.org>\nX-Rcpt-Args: <bob@corp.example>\n"), sunk.get(0).substring(0, 200));
        // smtp-sink writes what it received with LF line ends, dots unstuffed, and one empty line more
        String held = new String(content, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
        assertTrue(sunk.get(0).endsWith(held + "\n"), "the message arrives as it was held, the dot line included");

        Quarantine.Outcome again = service.release(id, Set.of("bob@corp.example"), ADMIN);
        assertEquals(List.of(), again.done());
        assertEquals(List.of("bob@corp.example (released)"), again.unchanged());
        assertEquals(1, sunk().size(), "a repeated release sends nothing");

        Quarantine.Outcome rest = service.release(id, Set.of(), ADMIN);
        assertEquals(List.of("carol@corp.example"), rest.done());
        assertEquals(2, sunk().size());
        HeldMessage after = service.get(id, ADMIN).orElseThrow();
        assertEquals(List.of("released", "released"), after.recipients().stream().map(HeldMessage.Recipient::state).toList());
        assertEquals("admin", after.recipients().get(0).changedBy());
    }

    @Test
    void aReleasedCopysHeaderPassesTheMilterOnceForItsRecipientsWhileItsReleaseIsUnderWay() throws Exception {
        long id = hold(MessageHold.Category.SPAM, "Message-ID: <big@example.org>\r\nSubject: held\r\n\r\nbody\r\n"
                .getBytes(StandardCharsets.ISO_8859_1), "bob@corp.example", "carol@corp.example");
        List<String> checks = new java.util.ArrayList<>();
        String[] seen = new String[1];
        QuarantineService[] quarantine = new QuarantineService[1];
        QuarantineService releasing = throughMilter((q, header, recipients) -> {
            seen[0] = header;
            quarantine[0] = q;
            String forged = header.substring(0, header.length() - 2) + (header.endsWith("AA") ? "BB" : "AA");
            String otherId = (id + 1) + header.substring(header.indexOf('.'));
            List<String> bob = List.of("bob@corp.example");
            checks.add("another Message-ID " + q.releasedCopy(header, "<other@example.org>", bob));
            checks.add("someone else " + q.releasedCopy(header, "<big@example.org>", List.of("mallory@corp.example")));
            checks.add("a recipient this release is not for " + q.releasedCopy(header, "<big@example.org>", List.of("carol@corp.example")));
            checks.add("forged " + q.releasedCopy(forged, "<big@example.org>", bob));
            checks.add("another id " + q.releasedCopy(otherId, "<big@example.org>", bob));
        }, outcome -> {
            checks.add("the copy " + outcome.substring(0, outcome.indexOf(' ')));
            try {
                checks.add("replayed " + quarantine[0].releasedCopy(seen[0], "<big@example.org>", List.of("bob@corp.example")));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        releasing.release(id, Set.of("bob@corp.example"), ADMIN);
        assertEquals(List.of("another Message-ID false", "someone else false", "a recipient this release is not for false", "forged false",
                "another id false", "the copy true", "replayed false"), checks);
        assertFalse(service.releasedCopy(seen[0], "<big@example.org>", List.of("bob@corp.example")), "used, and its release has ended");

        // a header read from a delivered copy whose release ended without its passing the milter lets nothing through either
        service.release(id, Set.of("carol@corp.example"), ADMIN);
        String carols = sunk().stream().filter(c -> c.contains("X-Rcpt-Args: <carol@corp.example>")).findFirst().orElseThrow();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^X-Portcullis-Release: (\\S+)$").matcher(carols);
        assertTrue(m.find(), carols);
        assertFalse(service.releasedCopy(m.group(1), "<big@example.org>", List.of("carol@corp.example")), "the release ended: the header is dead");
        assertFalse(m.group(1).equals(seen[0]), "each release's copy has its own header");
    }

    /** What a test looks at while a copy is on its way: the quarantine, the copy's release header, its recipients. */
    private interface OnTheWay {
        void see(QuarantineService quarantine, String header, List<String> recipients) throws IOException;
    }

    private QuarantineService throughMilter(java.util.function.Consumer<String> after) {
        return throughMilter((q, header, recipients) -> { }, after);
    }

    /**
     * A listener that passes each copy to the quarantine as the milter on it would (after
     * {@code before} has looked at it), then delivers it to the sink; {@code after} says what becomes
     * of the release then (nothing: it goes on).
     */
    private QuarantineService throughMilter(OnTheWay before, java.util.function.Consumer<String> after) {
        QuarantineService[] self = new QuarantineService[1];
        self[0] = TestQuarantine.on(TestDatabase.get(), new Reinjector("127.0.0.1", port, "test.localhost", 10_000) {
            @Override
            String send(String sender, List<String> recipients, InputStream content) {
                try {
                    byte[] copy = content.readAllBytes();
                    String text = new String(copy, StandardCharsets.ISO_8859_1);
                    assertTrue(text.startsWith("X-Portcullis-Release: "), text);
                    String header = text.substring(text.indexOf(": ") + 2, text.indexOf("\r\n"));
                    before.see(self[0], header, recipients);
                    boolean passed = self[0].releasedCopy(header, "<big@example.org>", recipients);
                    String reply = super.send(sender, recipients, new ByteArrayInputStream(copy));
                    after.accept(passed + " " + reply);
                    return reply;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        return self[0];
    }

    @Test
    void aReleaseWhoseNodeStoppedAfterItsCopyPassedTheMilterIsNotSentAgain() throws Exception {
        long id = hold(MessageHold.Category.SPAM, "Message-ID: <big@example.org>\r\n\r\nbody\r\n".getBytes(StandardCharsets.ISO_8859_1),
                "bob@corp.example", "carol@corp.example");
        // the copy passes the milter and is accepted (250), then the node stops before its commit: no answer reached it
        QuarantineService dying = throughMilter(outcome -> {
            assertTrue(outcome.startsWith("true 250"), outcome);
            throw new Reinjector.OutcomeUnknown("the node stopped", new IOException("killed"));
        });
        assertThrows(Reinjector.OutcomeUnknown.class, () -> dying.release(id, Set.of("bob@corp.example"), ADMIN));
        assertEquals(1, sunk().size());
        assertEquals("held", service.get(id, ADMIN).orElseThrow().recipients().get(0).state(), "its commit never happened");

        // the release again (on the node restarted, or another): bob's copy got through, so it is marked, not sent again
        Quarantine.Outcome again = service.release(id, Set.of(), ADMIN);
        assertEquals(List.of("bob@corp.example", "carol@corp.example"), again.done());
        assertEquals(2, sunk().size(), "bob once, and carol, whom the first release was not for");
        HeldMessage after = service.get(id, ADMIN).orElseThrow();
        assertEquals("delivered before: its copy passed the milter, then the releasing node stopped", after.recipients().get(0).reply());
        assertTrue(after.recipients().get(1).reply().startsWith("250"), after.recipients().get(1).reply());
    }

    @Test
    void aReleaseTheListenerRefusedAfterTheMilterIsSentAgain() throws Exception {
        long id = hold(MessageHold.Category.SPAM, "Message-ID: <big@example.org>\r\n\r\nbody\r\n".getBytes(StandardCharsets.ISO_8859_1),
                "bob@corp.example");
        sink.stop();
        // the milter passed the copy, then the listener could not take it: a refusal, so nothing was delivered
        QuarantineService refused = throughMilter(outcome -> { });
        QuarantineException e = assertThrows(QuarantineException.class, () -> refused.release(id, Set.of(), ADMIN));
        assertFalse(e instanceof Reinjector.OutcomeUnknown, e.getMessage());
        TestSink fresh = TestSink.start();
        try {
            QuarantineService later = TestQuarantine.on(TestDatabase.get(), fresh.port);
            Quarantine.Outcome sent = later.release(id, Set.of(), ADMIN);
            assertTrue(sent.reply().startsWith("250"), "sent, not marked from the refused attempt's pass: " + sent.reply());
            assertEquals(1, fresh.messages().size());
        } finally {
            fresh.close();
        }
    }

    @Test
    void aSearchFiltersByTheTimeItWasHeld() throws Exception {
        long id = hold(MessageHold.Category.SPAM, "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.ISO_8859_1), "bob@corp.example");
        java.util.function.BiFunction<String, String, List<Long>> found = (since, until) -> service.search(new QuarantineQuery(null, null,
                null, null, org.portcullis.quarantine.command.Filters.time("since", since),
                org.portcullis.quarantine.command.Filters.time("until", until), 50, null, null)).stream().map(HeldMessage::id).toList();
        assertEquals(List.of(id), found.apply("1h", null));
        assertEquals(List.of(), found.apply(null, "1h"), "held within the hour, not before it");
        assertEquals(List.of(id), found.apply("2020-01-01", "2099-01-01T00:00:00Z"));
        QuarantineException bad = assertThrows(QuarantineException.class, () -> org.portcullis.quarantine.command.Filters.time("since", "yesterday"));
        assertEquals(QuarantineException.Code.INVALID, bad.code());
        assertEquals("since 'yesterday': use 30m, 12h, 7d (ago), 2026-12-01 or 2026-12-01T08:00:00Z", bad.getMessage());
    }

    @Test
    void rightsFollowTheCategoryAndScopesTheRecipients() throws Exception {
        long sandboxed = hold(MessageHold.Category.SANDBOX, "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.ISO_8859_1),
                "bob@corp.example", "dave@other.example");
        Account noRight = account("bob", Role.USER, Set.of("bob@corp.example"), Set.of());
        QuarantineException refused = assertThrows(QuarantineException.class, () -> service.release(sandboxed, Set.of(), noRight));
        assertEquals(QuarantineException.Code.FORBIDDEN, refused.code());
        assertEquals("releasing or deleting sandbox mail needs the right 'sandbox-release'", refused.getMessage());

        // the release note's first fix: virus-release releases the sandbox's mail too
        Account virusReleaser = account("bob", Role.USER, Set.of("bob@corp.example"), Set.of(Right.VIRUS_RELEASE));
        Quarantine.Outcome o = service.release(sandboxed, Set.of(), virusReleaser);
        assertEquals(List.of("bob@corp.example"), o.done(), "only the recipient in the user's scope");
        assertEquals(1, sunk().size());

        // a user sees its own recipient only, never the others' addresses
        assertEquals(List.of("bob@corp.example"), service.get(sandboxed, virusReleaser).orElseThrow().recipients().stream()
                .map(HeldMessage.Recipient::address).toList());
        assertEquals(List.of("bob@corp.example"), service.search(new QuarantineQuery(null, null, null, null, null, null, 10, null,
                Set.of("bob@corp.example"))).get(0).recipients().stream().map(HeldMessage.Recipient::address).toList());
        QuarantineException outside = assertThrows(QuarantineException.class,
                () -> service.release(sandboxed, Set.of("dave@other.example"), virusReleaser));
        assertEquals("dave@other.example is outside your scope", outside.getMessage());

        Account otherDomain = account("ops", Role.DOMAIN_ADMIN, Set.of("elsewhere.example"), Set.of(Right.SANDBOX_RELEASE));
        assertEquals(QuarantineException.Code.NOT_FOUND,
                assertThrows(QuarantineException.class, () -> service.release(sandboxed, Set.of(), otherDomain)).code());
        assertEquals(List.of(), service.search(new QuarantineQuery(null, null, null, null, null, null, 10, Set.of("elsewhere.example"), null)));
        assertEquals(1, service.search(new QuarantineQuery(null, null, null, null, null, null, 10, Set.of("other.example"), null)).size());
    }

    @Test
    void aListenerThatIsDownLeavesTheMailHeld() throws Exception {
        long id = hold(MessageHold.Category.SPAM, "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.ISO_8859_1), "bob@corp.example");
        sink.stop();
        QuarantineException down = assertThrows(QuarantineException.class, () -> service.release(id, Set.of(), ADMIN));
        assertEquals(QuarantineException.Code.UNAVAILABLE, down.code());
        assertTrue(down.getMessage().startsWith("the re-injection listener 127.0.0.1:" + port + " failed: "), down.getMessage());
        assertFalse(down.getMessage().contains("\n"));
        assertEquals("held", service.get(id, ADMIN).orElseThrow().recipients().get(0).state());
    }

    @Test
    void contentThatFailsHalfWayKeepsNothing() {
        InputStream failing = new InputStream() {
            private int n;

            @Override
            public int read() throws IOException {
                if (n++ > QuarantineStore.CHUNK + 10) {
                    throw new IOException("spool gone");
                }
                return 'x';
            }
        };
        assertThrows(IOException.class, () -> service.hold(new MessageHold.Held("Q2", "", "", List.of("bob@corp.example"), "",
                MessageHold.Category.SPAM, "spam score 12", List.of()), failing));
        assertEquals(List.of(), service.search(new QuarantineQuery(null, null, null, null, null, null, 10, null, null)));
    }

    @Test
    void retentionDeletesTheContentAndExpiresTheHeldRecipients() throws Exception {
        long id = hold(MessageHold.Category.SPAM, "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.ISO_8859_1), "bob@corp.example");
        try (Connection c = TestDatabase.get().getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE quarantine.messages SET held = now() - interval '31 days' WHERE id = " + id);
        }
        assertEquals(1, new QuarantineStore(TestDatabase.get()).expire(Duration.ofDays(30), Fence.NONE));
        HeldMessage m = service.get(id, ADMIN).orElseThrow();
        assertFalse(m.hasContent());
        assertEquals("expired", m.recipients().get(0).state());
        assertEquals(List.of("bob@corp.example (expired)"), service.release(id, Set.of(), ADMIN).unchanged());
    }
}
