package org.portcullis.tracking.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.portcullis.policy.MessageRecord;
import org.portcullis.policy.Verdict;
import org.portcullis.storage.internal.TestDatabase;
import org.portcullis.tracking.Query;
import org.portcullis.tracking.TrackingException;

/** Message tracking against a real PostgreSQL: records in through the listener, found by every filter and scope, old ones gone. */
class TrackingServiceTest {

    private final DataSource ds = TestDatabase.get();
    private TrackingStore store;
    private TrackingService service;

    @BeforeEach
    void freshSchema() throws Exception {
        TestDatabase.recreate("tracking", getClass(), "V1__messages.sql");
        store = new TrackingStore(ds);
        service = new TrackingService();
        service.start(store, 1000, 100, Duration.ofDays(30));
    }

    @AfterEach
    void stop() throws Exception {
        service.deactivate();
    }

    private static MessageRecord record(Instant time, String queueId, String sender, List<String> to, String msgid, Verdict.Kind verdict) {
        return new MessageRecord(time, queueId, "end", "mx.example.org", "192.0.2.7", sender, to, 1234, msgid, "",
                List.of("clamav:clean:3ms"), "", "", verdict, verdict == Verdict.Kind.REJECT ? "550 5.7.1 virus X found" : "accept", 5);
    }

    private List<MessageRecord> awaitAll(int n) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        List<MessageRecord> all;
        while ((all = store.search(Query.latest(1000))).size() < n) {
            assertTrue(System.nanoTime() < end, "only " + all.size() + " of " + n + " records stored");
            Thread.sleep(20);
        }
        return all;
    }

    @Test
    void everyCharacterASenderCanSendComesBackAsItWent() throws Exception {
        String odd = "tab\there\\back\"quote\" {brace},comma \u00e9\u2603 \r\nnewline NULL";
        MessageRecord r = new MessageRecord(Instant.parse("2026-12-01T10:11:12.345678Z"), "Q1", "end", odd, "192.0.2.7", "\"odd\\\"@x.example",
                List.of("a,b@corp.example", "{c}@corp.example", "NULL@corp.example", ""), 1, "<" + odd + ">", odd,
                List.of("clamav:infected(\"X\\Y\"):3ms", ""), "", odd, Verdict.Kind.REJECT, odd, 5);
        service.message(r);
        MessageRecord back = awaitAll(1).get(0);
        assertEquals(r.time(), back.time());
        assertEquals(odd, back.clientName());
        assertEquals("\"odd\\\"@x.example", back.sender());
        assertEquals(List.of("a,b@corp.example", "{c}@corp.example", "null@corp.example", ""), back.recipients());
        assertEquals(odd, back.messageId());
        assertEquals(List.of("clamav:infected(\"X\\Y\"):3ms", ""), back.scanners());
        assertEquals(odd, back.reply());
        assertEquals(odd, back.error());
        assertEquals(1, store.search(new Query(null, null, null, "{c}@corp.example", null, null, null, 10, null, null)).size(),
                "found by a recipient with braces");
        MessageRecord nul = new MessageRecord(Instant.now(), "Q2", "end", "a\u0000b", "", "s@x.example", List.of("t@x.example"), 1, "", "",
                List.of(), "", "", Verdict.Kind.DELIVER, "accept", 1);
        service.message(nul);
        assertEquals("a?b", awaitAll(2).get(0).clientName(), "a NUL, which PostgreSQL text cannot hold, is stored as ?");
    }

    @Test
    void recordsGoInOffTheMailPathAndComeBackByEveryFilter() throws Exception {
        Instant now = Instant.now();
        service.message(record(now.minusSeconds(30), "AAA1", "alice@partner.example", List.of("Bob@Example.com"), "<m1@partner.example>",
                Verdict.Kind.DELIVER));
        service.message(record(now.minusSeconds(20), "BBB2", "mallory@evil.example", List.of("bob@example.com", "carol@sales.example.com"),
                "<m2@evil.example>", Verdict.Kind.REJECT));
        service.message(record(now.minusSeconds(10), "CCC3", "news@other.example", List.of("dan@other.example"), "", Verdict.Kind.TAG));
        List<MessageRecord> all = awaitAll(3);
        assertEquals(List.of("CCC3", "BBB2", "AAA1"), all.stream().map(MessageRecord::queueId).toList(), "newest first");

        assertEquals("AAA1", one(new Query("AAA1", null, null, null, null, null, null, 10, null, null)).queueId());
        assertEquals("BBB2", one(new Query(null, "m2@evil.example", null, null, null, null, null, 10, null, null)).queueId());
        assertEquals("BBB2", one(new Query(null, "<m2@evil.example>", null, null, null, null, null, 10, null, null)).queueId());
        assertEquals("BBB2", one(new Query(null, null, "Mallory@Evil.example", null, null, null, null, 10, null, null)).queueId());
        assertEquals(2, store.search(new Query(null, null, null, "bob@example.com", null, null, null, 10, null, null)).size());
        assertEquals("BBB2", one(new Query(null, null, null, null, Verdict.Kind.REJECT, null, null, 10, null, null)).queueId());
        assertEquals("CCC3", one(new Query(null, null, null, null, null, now.minusSeconds(15), null, 10, null, null)).queueId());
        assertEquals("AAA1", one(new Query(null, null, null, null, null, null, now.minusSeconds(25), 10, null, null)).queueId());
        MessageRecord back = one(new Query("BBB2", null, null, null, null, null, null, 10, null, null));
        assertEquals(List.of("bob@example.com", "carol@sales.example.com"), back.recipients());
        assertEquals("550 5.7.1 virus X found", back.reply());
        assertEquals(List.of("clamav:clean:3ms"), back.scanners());
    }

    @Test
    void aDomainAdminSeesItsDomainsAndTheirSubdomainsAUserItsAddresses() throws Exception {
        Instant now = Instant.now();
        service.message(record(now, "IN1", "x@outside.example", List.of("carol@sales.example.com"), "", Verdict.Kind.DELIVER));
        service.message(record(now, "OUT1", "bob@example.com", List.of("y@outside.example"), "", Verdict.Kind.DELIVER));
        service.message(record(now, "ELSE", "x@outside.example", List.of("z@notexample.com"), "", Verdict.Kind.DELIVER));
        awaitAll(3);
        assertEquals(Set.of("IN1", "OUT1"), ids(new Query(null, null, null, null, null, null, null, 10, Set.of("example.com"), null)));
        assertEquals(Set.of("IN1"), ids(new Query(null, null, null, null, null, null, null, 10, Set.of("sales.example.com"), null)));
        assertEquals(Set.of("OUT1"), ids(new Query(null, null, null, null, null, null, null, 10, null, Set.of("bob@example.com"))));
        assertEquals(Set.of(), ids(new Query(null, null, null, null, null, null, null, 10, null, Set.of("nobody@example.com"))));
    }

    @Test
    void oldRecordsAreDeletedAndBadFiltersNamed() throws Exception {
        service.deactivate();
        store.insert(List.of(record(Instant.now().minus(Duration.ofDays(40)), "OLD", "a@b.example", List.of("c@d.example"), "",
                Verdict.Kind.DELIVER), record(Instant.now(), "NEW", "a@b.example", List.of("c@d.example"), "", Verdict.Kind.DELIVER)));
        assertEquals(2, store.search(Query.latest(10)).size());
        org.portcullis.core.cluster.Fence ended = new org.portcullis.core.cluster.Fence() {
            @Override
            public long epoch() {
                return 7;
            }

            @Override
            public void check(java.sql.Connection transaction) throws org.portcullis.core.cluster.FencedException {
                throw new org.portcullis.core.cluster.FencedException("fenced: epoch 7 has ended");
            }

            @Override
            public void check() throws org.portcullis.core.cluster.FencedException {
                check(null);
            }
        };
        assertThrows(org.portcullis.core.cluster.FencedException.class, () -> store.purge(Instant.now().minus(Duration.ofDays(30)), ended));
        assertEquals(2, store.search(Query.latest(10)).size(), "a purge under an ended term deleted rows");
        service = new TrackingService();
        service.start(store, 1000, 100, Duration.ofDays(30)); // its retention runs at start, then hourly
        long end = System.nanoTime() + 10_000_000_000L;
        while (store.search(Query.latest(10)).size() > 1) {
            assertTrue(System.nanoTime() < end, "the 40-day-old record was not deleted");
            Thread.sleep(20);
        }
        assertEquals(List.of("NEW"), store.search(Query.latest(10)).stream().map(MessageRecord::queueId).toList());
        assertTrue(assertThrows(TrackingException.class, () -> store.search(Query.latest(5000))).getMessage().contains("at most 1000"));
        assertTrue(assertThrows(TrackingException.class, () -> Filters.verdict("virus")).getMessage()
                .startsWith("verdict 'virus': one of deliver, tag, quarantine, reject, tempfail, discard"));
        assertTrue(assertThrows(TrackingException.class, () -> Filters.time("since", "yesterday")).invalid());
        assertTrue(Filters.time("since", "2h").isBefore(Instant.now().minus(Duration.ofMinutes(119))));
    }

    @Test
    void aFullQueueDropsRecordsNeverBlocksTheCaller() throws Exception {
        service.deactivate();
        service = new TrackingService();
        service.start(new TrackingStore(ds) {
            @Override
            void insert(List<MessageRecord> batch) throws java.sql.SQLException {
                throw new java.sql.SQLException("the database is down");
            }
        }, 2, 1, Duration.ofDays(30));
        // a blocking hand-off would hang here (the queue holds 2 and nothing is ever written)
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < 10_000; i++) {
                service.message(record(Instant.now(), "Q" + i, "a@b.example", List.of("c@d.example"), "", Verdict.Kind.DELIVER));
            }
        });
    }

    private MessageRecord one(Query q) {
        List<MessageRecord> found = store.search(q);
        assertEquals(1, found.size(), found.toString());
        return found.get(0);
    }

    private Set<String> ids(Query q) {
        return Set.copyOf(store.search(q).stream().map(MessageRecord::queueId).toList());
    }
}
