package org.portcullis.lists.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.portcullis.lists.ListEntry;
import org.portcullis.lists.ListType;
import org.portcullis.lists.Pattern;
import org.portcullis.lists.Scope;

/** Precedence, patterns and expiry of the in-memory index. */
class ListIndexTest {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    private static long ids;

    static ListEntry entry(String list, String scope, String pattern) {
        return entry(list, scope, pattern, null);
    }

    static ListEntry entry(String list, String scope, String pattern, Instant expires) {
        return new ListEntry(++ids, ListType.parse(list), Scope.parse(scope), Pattern.parse(pattern), "", "test", NOW, expires);
    }

    private static Query mail(String sender, String client, String rcpt, String... from) {
        return new Query(sender, client == null ? null : Pattern.ipBytes(client), rcpt, List.of(from));
    }

    /**
     * One case per line: the entries present (list|scope|pattern; ...), the message (sender,
     * client, recipient, header From), and the deciding entry's "list pattern (scope)" or "none".
     */
    @ParameterizedTest(name = "{0} / {1} -> {5}")
    @CsvSource(delimiter = ';', value = {
        // nothing matches
        "allow|global|other.example;            spam@bad.example; 192.0.2.1; bob@corp.example;  ; none",
        // within one scope and one part of the message the most specific pattern decides, either way
        "block|global|bad.example,allow|global|x@bad.example; x@bad.example; 198.51.100.1; bob@corp.example; ; allow x@bad.example (global)",
        "allow|global|bad.example,block|global|x@bad.example; x@bad.example; ; bob@corp.example; ; block x@bad.example (global)",
        "block|global|*.example.com,allow|global|mx.example.com; a@mx.example.com; ; bob@corp.example; ; allow mx.example.com (global)",
        "block|global|*.example.com,allow|global|mx.example.com; a@relay.example.com; ; bob@corp.example; ; block *.example.com (global)",
        "block|global|*.example.com,allow|global|*.mx.example.com; a@in.mx.example.com; ; bob@corp.example; ; allow *.mx.example.com (global)",
        "allow|global|example.com,block|global|*.example.com; a@example.com; ; bob@corp.example; ; allow example.com (global)",
        "block|global|192.0.2.0/24,allow|global|192.0.2.7; ; 192.0.2.7; bob@corp.example; ; allow 192.0.2.7/32 (global)",
        "block|global|192.0.2.0/24,allow|global|192.0.2.0/25; ; 192.0.2.9; bob@corp.example; ; allow 192.0.2.0/25 (global)",
        "block|global|192.0.2.0/24,allow|global|192.0.2.0/25; ; 192.0.2.200; bob@corp.example; ; block 192.0.2.0/24 (global)",
        "block|global|from:*.bank.example,allow|global|from:news.bank.example; x@m.example; ; bob@corp.example; a@news.bank.example; allow from:news.bank.example (global)",
        // the same pattern on both lists: Block wins
        "allow|global|bad.example,block|global|bad.example; x@bad.example; ; bob@corp.example; ; block bad.example (global)",
        "block|global|bad.example,allow|global|bad.example; x@bad.example; ; bob@corp.example; ; block bad.example (global)",
        // between parts of the message (sender, client, header From) a Block beats an Allow
        "allow|global|bad.example,block|global|192.0.2.0/24; x@bad.example; 192.0.2.9; bob@corp.example; ; block 192.0.2.0/24 (global)",
        "block|global|bad.example,allow|global|192.0.2.9; x@bad.example; 192.0.2.9; bob@corp.example; ; block bad.example (global)",
        "allow|global|x@bad.example,block|global|from:bank.example; x@bad.example; ; bob@corp.example; a@bank.example; block from:bank.example (global)",
        "allow|global|192.0.2.9,allow|global|x@bad.example; x@bad.example; 192.0.2.9; bob@corp.example; ; allow x@bad.example (global)",
        // the domain's list overrides the global one, either way
        "block|global|bad.example,allow|domain:corp.example|bad.example; x@bad.example; ; bob@corp.example; ; allow bad.example (domain:corp.example)",
        "allow|global|bad.example,block|domain:corp.example|bad.example; x@bad.example; ; bob@corp.example; ; block bad.example (domain:corp.example)",
        // the user's list overrides the domain's and the global one
        "block|domain:corp.example|bad.example,allow|user:bob@corp.example|x@bad.example; x@bad.example; ; bob@corp.example; ; allow x@bad.example (user:bob@corp.example)",
        "allow|global|bad.example,allow|domain:corp.example|bad.example,block|user:bob@corp.example|*.bad.example; x@bad.example; ; bob@corp.example; ; block *.bad.example (user:bob@corp.example)",
        // another user's or domain's list does not apply
        "block|user:eve@corp.example|bad.example,block|domain:other.example|bad.example; x@bad.example; ; bob@corp.example; ; none",
        // a domain entry does not cover subdomains; a wildcard covers the domain and every subdomain
        "block|global|bad.example;              x@mail.bad.example; ; bob@corp.example; ; none",
        "block|global|*.bad.example;            x@bad.example; ; bob@corp.example; ; block *.bad.example (global)",
        "block|global|*.bad.example;            x@a.b.bad.example; ; bob@corp.example; ; block *.bad.example (global)",
        "block|global|*.bad.example;            x@notbad.example; ; bob@corp.example; ; none",
        // header From entries need the header; envelope entries do not look at it
        "block|global|from:bank.example;        bounce@mailer.example; ; bob@corp.example; ; none",
        "block|global|from:bank.example;        bounce@mailer.example; ; bob@corp.example; security@bank.example; block from:bank.example (global)",
        "block|global|bank.example;             bounce@mailer.example; ; bob@corp.example; security@bank.example; none",
        // the null sender matches no address or domain entry
        "block|global|*.bad.example;            ; 192.0.2.1; bob@corp.example; ; none",
    })
    void precedence(String entries, String sender, String client, String rcpt, String from, String expected) {
        List<ListEntry> all = new ArrayList<>();
        for (String e : entries.split(",")) {
            String[] f = e.strip().split("\\|");
            all.add(entry(f[0], f[1], f[2]));
        }
        Query q = from == null ? mail(sender == null ? "" : sender, client, rcpt) : mail(sender == null ? "" : sender, client, rcpt, from);
        Judgement j = ListIndex.of(all).judge(q, NOW);
        String got = j.decided() ? j.decisive().list().id() + " " + j.decisive().pattern() + " (" + j.decisive().scope() + ")" : "none";
        assertEquals(expected, got);
    }

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource({
        "192.0.2.0/24, 192.0.2.0, true", "192.0.2.0/24, 192.0.2.255, true", "192.0.2.0/24, 192.0.3.0, false",
        "192.0.2.0/24, 192.0.1.255, false", "0.0.0.0/0, 203.0.113.9, true", "192.0.2.7, 192.0.2.7, true", "192.0.2.7, 192.0.2.8, false",
        "10.0.0.0/8, 10.255.255.255, true", "10.0.0.0/8, 11.0.0.0, false", "192.0.2.128/25, 192.0.2.127, false",
        "2001:db8::/32, 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff, true", "2001:db8::/32, 2001:db9::, false",
        "2001:db8::1, 2001:db8::1, true", "2001:db8::1, 2001:db8::2, false", "::/0, ::1, true",
        "2001:db8:0:0:8000::/65, 2001:db8::8000:0:0:1, true", "2001:db8:0:0:8000::/65, 2001:db8::7fff:0:0:1, false",
        // an IPv4 network never matches an IPv6 client, nor the reverse
        "0.0.0.0/0, ::1, false", "::/0, 192.0.2.1, false",
        // an IPv4-mapped IPv6 client is the IPv4 client it maps
        "192.0.2.0/24, ::ffff:192.0.2.1, true",
    })
    void cidr(String network, String client, boolean matches) {
        ListIndex index = ListIndex.of(List.of(entry("block", "global", network)));
        assertEquals(matches, index.judge(mail("", client, "bob@corp.example"), NOW).decided());
    }

    @Test
    void anExpiredEntryStopsMatchingOnTime() {
        Instant expires = NOW.plus(Duration.ofMinutes(10));
        ListIndex index = ListIndex.of(List.of(entry("block", "global", "bad.example", expires),
                entry("allow", "global", "bad.example")));
        Query q = mail("x@bad.example", null, "bob@corp.example");
        assertEquals(ListType.BLOCK, index.judge(q, expires.minusMillis(1)).decisive().list());
        assertEquals(ListType.ALLOW, index.judge(q, expires).decisive().list(), "at its expiry the Block entry is gone");
    }

    @Test
    void anExplanationNamesTheDecidingEntryAndEveryOneItOverrode() {
        ListEntry global = entry("block", "global", "*.bad.example");
        ListEntry domainAllow = entry("allow", "domain:corp.example", "bad.example");
        ListEntry domainBlock = entry("block", "domain:corp.example", "192.0.2.0/24");
        ListEntry user = entry("allow", "user:bob@corp.example", "x@bad.example");
        ListIndex index = ListIndex.of(List.of(global, domainAllow, domainBlock, user));
        Judgement j = index.explain(mail("x@bad.example", "192.0.2.1", "bob@corp.example"), NOW);
        assertEquals(user, j.decisive());
        assertEquals(List.of(domainAllow, domainBlock, global), j.overridden());
        assertEquals(List.of(
                "its scope domain:corp.example is less specific than user:bob@corp.example (user over domain over global)",
                "its scope domain:corp.example is less specific than user:bob@corp.example (user over domain over global)",
                "its scope global is less specific than user:bob@corp.example (user over domain over global)"), j.reasons());
        Judgement fast = index.judge(mail("x@bad.example", "192.0.2.1", "bob@corp.example"), NOW);
        assertEquals(user, fast.decisive());
        assertFalse(index.judge(mail("x@good.example", null, "bob@corp.example"), NOW).decided());
        assertNull(Judgement.NONE.decisive());
    }

    @Test
    void anExplanationSaysWhyEachEntryInTheDecidingScopeLost() {
        ListEntry broad = entry("block", "global", "*.example.com");
        ListEntry narrow = entry("allow", "global", "mx.example.com");
        ListEntry same = entry("allow", "global", "203.0.113.0/24");
        ListEntry sameBlock = entry("block", "global", "203.0.113.0/24");
        ListEntry network = entry("block", "global", "203.0.0.0/16");
        Judgement j = ListIndex.of(List.of(broad, narrow, same, sameBlock, network))
                .explain(mail("a@mx.example.com", "203.0.113.5", "bob@corp.example"), NOW);
        assertEquals(sameBlock, j.decisive(), "the sender's vote is Allow, the client's is Block: Block wins");
        assertEquals(List.of(narrow, broad, same, network), j.overridden());
        assertEquals(List.of(
                "an Allow for one part of the message never overrides a Block for another part",
                "less specific than mx.example.com",
                "the same pattern is on the Block list, which wins between equally specific entries",
                "less specific than 203.0.113.0/24"), j.reasons());
    }
}
