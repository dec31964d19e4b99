package org.portcullis.lists.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.portcullis.lists.ListEntry;
import org.portcullis.lists.ListException;
import org.portcullis.lists.ListType;
import org.portcullis.lists.Lists;
import org.portcullis.lists.Pattern;
import org.portcullis.lists.Scope;
import org.portcullis.storage.internal.TestDatabase;

/** The lists against a real PostgreSQL: two nodes on one database, import and export, explanations. */
class ListServiceTest {

    private final DataSource ds = TestDatabase.get();
    private ListService a;
    private ListService b;

    @BeforeEach
    void freshSchema() throws Exception {
        TestDatabase.recreate("lists", getClass(), "V1__entries.sql");
        a = new ListService();
        a.start(ds);
        b = new ListService();
        b.start(ds);
    }

    @AfterEach
    void stop() {
        a.deactivate();
        b.deactivate();
    }

    private static void within(long millis, BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError(what + " not within " + millis + " ms");
            }
            Thread.sleep(10);
        }
    }

    @Test
    void aStartingNodeHasTheWholeIndexWhenStartReturnsLoadedOnce() throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO lists.entries (list, scope, pattern, creator) SELECT 'block', 'global', 'x' || g || '.example', 'test' "
                    + "FROM generate_series(1, 500) g");
        }
        ListService late = new ListService();
        late.start(ds);
        try {
            assertEquals(500, late.indexSize(), "start() returns with the table loaded");
        } finally {
            late.deactivate();
        }
        java.util.concurrent.atomic.AtomicInteger loads = new java.util.concurrent.atomic.AtomicInteger();
        try (org.portcullis.storage.ChangeListener listener = new org.portcullis.storage.ChangeListener(ds, ListService.CHANNEL, "lists", loads::incrementAndGet, java.time.Duration.ofHours(1)).start()) {
            assertEquals(1, loads.get(), "one load at start: after LISTEN, not once before it and again after");
        }
    }

    @Test
    void aChangeOnOneNodeReachesTheOtherNodesIndexWithinASecond() throws Exception {
        assertNull(b.check("x@bad.example", null, "bob@corp.example", null).decisive());
        ListEntry e = a.add(ListType.BLOCK, Scope.GLOBAL, Pattern.parse("bad.example"), "spam run", "admin", null);
        long added = System.nanoTime();
        within(1000, () -> b.check("x@bad.example", null, "bob@corp.example", null).decisive() != null, "the add on the other node");
        assertTrue(System.nanoTime() - added < 1_000_000_000L);
        a.remove(e.id());
        within(1000, () -> b.check("x@bad.example", null, "bob@corp.example", null).decisive() == null, "the removal on the other node");
    }

    @Test
    void aDuplicateIsRefusedNamingTheEntryThere() {
        ListEntry first = a.add(ListType.ALLOW, Scope.domain("corp.example"), Pattern.parse("partner.example"), "", "admin", null);
        ListException dup = assertThrows(ListException.class,
                () -> a.add(ListType.ALLOW, Scope.domain("corp.example"), Pattern.parse("Partner.Example"), "again", "admin", null));
        assertEquals("entry 'allow partner.example (domain:corp.example)' exists already (#" + first.id() + ")", dup.getMessage());
        assertEquals(1, a.find(null, null, null).size());
    }

    @Test
    void importIsAllOrNothingAndReportsEveryBadLineByNumber() throws Exception {
        String csv = "list,scope,pattern,comment\n"
                + "block,global,bad.example,spam\n"
                + "allow,galaxy,good.example,\n"
                + "block,global,192.0.2.0/33,\n"
                + "maybe,global,x.example,\n";
        Lists.ImportResult r = a.importCsv(new StringReader(csv), "lists.csv", "admin");
        assertEquals(0, r.added());
        assertEquals(List.of("line 3: scope 'galaxy': use global, domain:<domain> or user:<address>",
                "line 4: pattern '192.0.2.0/33': prefix length '33' is not 0 to 32",
                "line 5: list 'maybe': use allow or block"), r.errors());
        assertTrue(a.find(null, null, null).isEmpty(), "nothing stored when any line is bad");
    }

    @Test
    void legacyWordsAreTranslatedOnTheWayInAndDuplicatesReported() throws Exception {
        a.add(ListType.ALLOW, Scope.GLOBAL, Pattern.parse("friend.example"), "", "admin", null);
        String csv = "type,address\nwhitelist,friend.example\nblacklist,*.spam.example\nWhite,partner.example\nblacklist,*.spam.example\n";
        Lists.ImportResult r = a.importCsv(new StringReader(csv), "export.csv", "admin");
        assertEquals(List.of(), r.errors());
        assertEquals(2, r.added());
        assertEquals(List.of("line 5: repeats line 3 (block *.spam.example (global))", "line 2: exists already (allow friend.example (global))"),
                r.duplicates());
        Lists.ImportResult byName = a.importCsv(new StringReader("old-sender@bulk.example\n10.0.0.0/8\n"), "blacklist-2019.csv", "admin");
        assertEquals(2, byName.added());
        assertEquals(ListType.BLOCK, a.find(null, null, "10.0.0.0").get(0).list());
        Lists.ImportResult byHeader = a.importCsv(new StringReader("whitelist\nnews@vendor.example\n"), "export.csv", "admin");
        assertEquals(1, byHeader.added());
        assertEquals(ListType.ALLOW, a.find(null, null, "vendor").get(0).list());
        assertEquals("line 1: no list: add a list column (allow or block), or name the file after the list",
                a.importCsv(new StringReader("x@y.example\n"), "export.csv", "admin").errors().get(0));
    }

    @Test
    void aByteOrderMarkAndQuotedLineBreaksAreReadAsRfc4180AndLinesCountedAsInTheFile() throws Exception {
        String csv = "\uFEFFlist,pattern,comment\r\n"
                + "block,bad.example,\"two\r\nlines\"\r\n"
                + "# a comment\r\n"
                + "   # an indented one\r\n"
                + "allow,192.0.2.0/33,x\r\n";
        Lists.ImportResult r = a.importCsv(new StringReader(csv), "lists.csv", "admin");
        assertEquals(List.of("line 6: pattern '192.0.2.0/33': prefix length '33' is not 0 to 32"), r.errors(),
                "the header is found behind the BOM, and the bad record is on line 6 of the file");
        Lists.ImportResult good = a.importCsv(new StringReader(csv.substring(0, csv.indexOf("allow"))), "lists.csv", "admin");
        assertEquals(List.of(), good.errors());
        assertEquals("two\r\nlines", a.find(null, null, "bad.example").get(0).comment());
        Lists.ImportResult open = a.importCsv(new StringReader("list,pattern,comment\nblock,x.example,\"never closed\n"), "lists.csv", "admin");
        assertEquals(List.of("line 2: a quoted cell is never closed (inside quotes write a quote twice: \"\")"), open.errors());
        assertEquals(0, open.added());
    }

    @Test
    void exportReadsBackAsTheSameEntries() throws Exception {
        a.add(ListType.BLOCK, Scope.user("bob@corp.example"), Pattern.parse("from:*.phish.example"), "said \"urgent\", twice\nsee ticket 42", "admin",
                Instant.parse("2027-01-31T00:00:00Z"));
        a.add(ListType.ALLOW, Scope.GLOBAL, Pattern.parse("2001:db8::/32"), "", "admin", null);
        StringWriter out = new StringWriter();
        a.exportCsv(a.find(null, null, null), out);
        a.find(null, null, null).forEach(e -> a.remove(e.id()));
        Lists.ImportResult r = a.importCsv(new StringReader(out.toString()), "export.csv", "admin");
        assertEquals(List.of(), r.errors(), out.toString());
        List<ListEntry> back = a.find(null, null, null);
        assertEquals(2, back.size());
        assertEquals("said \"urgent\", twice\nsee ticket 42", back.get(0).comment(), "a line break in a comment comes back");
        assertEquals(Instant.parse("2027-01-31T00:00:00Z"), back.get(0).expires());
    }

    @Test
    void checkExplainsTheDecisionAndRefusesBadInput() throws Exception {
        a.add(ListType.BLOCK, Scope.GLOBAL, Pattern.parse("*.bulk.example"), "", "admin", null);
        ListEntry mine = a.add(ListType.ALLOW, Scope.user("bob@corp.example"), Pattern.parse("news@mail.bulk.example"), "", "bob", null);
        within(1000, () -> a.indexSize() == 2, "the index");
        Lists.Explanation x = a.check("news@mail.bulk.example", "198.51.100.4", "bob@corp.example", null);
        assertEquals(mine, x.decisive());
        assertEquals(1, x.overridden().size());
        assertEquals("ip 'not-an-ip': not an IPv4 or IPv6 address",
                assertThrows(ListException.class, () -> a.check("a@b.example", "not-an-ip", "bob@corp.example", null)).getMessage());
        assertEquals("recipient 'bob': not an email address",
                assertThrows(ListException.class, () -> a.check("a@b.example", null, "bob", null)).getMessage());
        assertTrue(assertThrows(ListException.class, () -> a.check("mx.spam.example", null, null, null)).getMessage()
                .startsWith("sender 'mx.spam.example': not an email address; give the envelope sender as user@domain"),
                "a host name given as the sender is named, not answered 'No entry matches'");
        a.check("<>", null, "bob@corp.example", null); // the null sender is a sender
    }
}
