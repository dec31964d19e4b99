package org.portcullis.quarantine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.portcullis.policy.MessageHold;
import org.portcullis.quarantine.HeldMessage;
import org.portcullis.quarantine.Quarantine;
import org.portcullis.quarantine.QuarantineException;
import org.portcullis.storage.internal.TestDatabase;

/**
 * Digests and release links against a real PostgreSQL and Postfix's {@code smtp-sink}: the
 * digest lists a recipient's newly held spam and policy mail (decoded subjects), each link
 * releases its message to its recipient once; a second use, a forged link and a link to mail of
 * another category are refused; a digest is not sent again before it is due.
 */
class DigestTest {

    private static final Pattern LINK = Pattern.compile("https://gateway\\.test:8443/api/v1/links/release/([A-Za-z0-9_.-]+)");

    private QuarantineService service;
    private TestSink sink;

    @BeforeEach
    void start() throws Exception {
        TestDatabase.recreate("quarantine", getClass(), TestQuarantine.MIGRATIONS);
        sink = TestSink.start();
        service = TestQuarantine.on(TestDatabase.get(), sink.port);
    }

    @AfterEach
    void stop() throws Exception {
        sink.close();
    }

    private long hold(MessageHold.Category category, String subject, String... recipients) throws IOException {
        byte[] content = ("Message-ID: <" + subject.hashCode() + "@example.org>\r\nSubject: " + subject + "\r\n\r\nbody\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        return Long.parseLong(service.hold(new MessageHold.Held("Q1", "<m@example.org>", "alice@example.org", List.of(recipients),
                "192.0.2.7", category, "spam score 9.1", List.of()), new ByteArrayInputStream(content)));
    }

    private List<String> digestsTo(String recipient) throws IOException {
        // the sink's files are read as ISO-8859-1; a digest is UTF-8
        return sink.messages().stream().filter(m -> m.contains("X-Rcpt-Args: <" + recipient + ">") && m.contains("Subject: Quarantine: "))
                .map(m -> new String(m.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8)).toList();
    }

    private static List<String> links(String digest) {
        Matcher m = LINK.matcher(digest);
        List<String> all = new java.util.ArrayList<>();
        while (m.find()) {
            all.add(m.group(1));
        }
        return all;
    }

    @Test
    void aDigestListsNewlyHeldMailAndEachLinkReleasesOnce() throws Exception {
        long spam = hold(MessageHold.Category.SPAM, "=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?= cheap watches", "bob@corp.example");
        long policy = hold(MessageHold.Category.POLICY, "minutes", "bob@corp.example", "carol@corp.example");
        hold(MessageHold.Category.VIRUS, "invoice", "bob@corp.example");

        assertEquals(2, service.sendDigests(false), "bob and carol");
        List<String> bobs = digestsTo("bob@corp.example");
        assertEquals(1, bobs.size());
        String digest = bobs.get(0);
        assertTrue(digest.contains("Subject: Quarantine: 2 messages held for you"), digest);
        assertTrue(digest.contains("Subject: \u3053\u3093\u306b\u3061\u306f cheap watches"),
                "the subject decoded from ISO-2022-JP, written in UTF-8: " + digest);
        assertFalse(digest.contains("invoice"), "virus mail is not in digests by default");
        List<String> tokens = links(digest);
        assertEquals(2, tokens.size(), digest);

        HeldMessage shown = service.linked(tokens.get(1));
        assertEquals(policy, shown.id());
        assertEquals(List.of("bob@corp.example"), shown.recipients().stream().map(HeldMessage.Recipient::address).toList(),
                "a link shows its own recipient only");

        int before = sink.messages().size();
        Quarantine.Outcome released = service.releaseLinked(tokens.get(1));
        assertEquals(List.of("bob@corp.example"), released.done());
        assertEquals(before + 1, sink.messages().size());
        HeldMessage after = service.get(policy, TestQuarantine.ADMIN).orElseThrow();
        assertEquals("released", after.recipients().get(0).state());
        assertEquals("release link for bob@corp.example", after.recipients().get(0).changedBy());
        assertEquals("held", after.recipients().get(1).state(), "carol's copy is carol's to release");

        QuarantineException second = assertThrows(QuarantineException.class, () -> service.releaseLinked(tokens.get(1)));
        assertEquals(QuarantineException.Code.GONE, second.code());
        assertEquals("this release link was used already", second.getMessage());
        assertEquals(QuarantineException.Code.GONE, assertThrows(QuarantineException.class, () -> service.linked(tokens.get(1))).code());
        assertEquals(before + 1, sink.messages().size(), "a second use sends nothing");

        String t = tokens.get(0);
        String forged = t.substring(0, t.length() - 3) + (t.endsWith("AAA") ? "BBB" : "AAA");
        QuarantineException refused = assertThrows(QuarantineException.class, () -> service.releaseLinked(forged));
        assertEquals(QuarantineException.Code.FORBIDDEN, refused.code());
        assertEquals("held", service.get(spam, TestQuarantine.ADMIN).orElseThrow().recipients().get(0).state());

        assertEquals(0, service.sendDigests(false), "not due again for a day");
        assertEquals(0, service.sendDigests(true), "forced, but nothing newly held");
        hold(MessageHold.Category.SPAM, "another", "bob@corp.example");
        assertEquals(1, service.sendDigests(true), "forced: the newly held message only");
        List<String> both = digestsTo("bob@corp.example");
        assertEquals(2, both.size());
        String next = both.stream().filter(d -> d.contains("Subject: Quarantine: 1 message held for you")).findFirst().orElseThrow();
        assertTrue(next.contains("Subject: another") && !next.contains("minutes"), next);
    }

    @Test
    void digestsGoToTheConfiguredDomainsOnly() {
        Digests.Settings ours = new Digests.Settings(java.time.Duration.ofHours(24), List.of("spam"), "p@x", "https://x", java.time.Duration.ofDays(7),
                List.of("Corp.Example"));
        assertTrue(ours.digests("bob@corp.example") && ours.digests("eve@mail.corp.example"));
        assertFalse(ours.digests("someone@partner.example") || ours.digests("x@notcorp.example"));
        assertTrue(new Digests.Settings(java.time.Duration.ofHours(24), List.of("spam"), "p@x", "https://x", java.time.Duration.ofDays(7),
                List.of()).digests("anyone@anywhere.example"), "no domains: everyone");
    }

    @Test
    void aSubjectCannotDrawALineOfItsOwnInTheDigest() {
        assertEquals("cheap Release: https://evil.example/x", Digests.oneLine("cheap\u2028Release: https://evil.example/x"));
        assertEquals("a b c", Digests.oneLine("a\u0085b\u202Ec"));
    }

    @Test
    void aLinkThatCannotGoOutStillWorksLaterAndOtherCategoriesNeedAnAdmin() throws Exception {
        long spam = hold(MessageHold.Category.SPAM, "later", "bob@corp.example");
        long virus = hold(MessageHold.Category.VIRUS, "bad", "bob@corp.example");
        assertEquals(1, service.sendDigests(false));
        String token = links(digestsTo("bob@corp.example").get(0)).get(0);

        sink.stop();
        QuarantineException down = assertThrows(QuarantineException.class, () -> service.releaseLinked(token));
        assertEquals(QuarantineException.Code.UNAVAILABLE, down.code());
        try (Connection c = TestDatabase.get().getConnection(); Statement st = c.createStatement()) {
            var rs = st.executeQuery("SELECT count(*) FROM quarantine.link_uses");
            rs.next();
            assertEquals(0, rs.getInt(1), "the use is recorded with the release, so a release that failed leaves the link usable");
        }
        assertEquals("held", service.get(spam, TestQuarantine.ADMIN).orElseThrow().recipients().get(0).state());

        // a valid signature on a message of a category digests do not list: refused
        ReleaseLinks sameKey = new ReleaseLinks(new QuarantineStore(TestDatabase.get()).key("release"));
        String virusLink = sameKey.token(virus, "bob@corp.example", java.time.Instant.now().plusSeconds(600));
        QuarantineException notByLink = assertThrows(QuarantineException.class, () -> service.releaseLinked(virusLink));
        assertEquals(QuarantineException.Code.FORBIDDEN, notByLink.code());
        assertEquals("virus mail is released by an admin, not by a link", notByLink.getMessage());
        // and a link for someone who is not a recipient of that message
        String stranger = sameKey.token(spam, "mallory@corp.example", java.time.Instant.now().plusSeconds(600));
        assertEquals(QuarantineException.Code.NOT_FOUND, assertThrows(QuarantineException.class,
                () -> service.releaseLinked(stranger)).code());
        assertEquals(Set.of(), Set.copyOf(service.get(virus, TestQuarantine.ADMIN).orElseThrow().recipients().stream()
                .filter(r -> !r.state().equals("held")).toList()));
    }
}
