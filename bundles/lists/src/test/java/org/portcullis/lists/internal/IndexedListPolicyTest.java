package org.portcullis.lists.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.portcullis.policy.ListDecision;
import org.portcullis.policy.ListQuery;

/** The milter hook over the index: RCPT, end of message, header From parsing. */
class IndexedListPolicyTest {

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-28T12:00:00Z"), ZoneOffset.UTC);

    private IndexedListPolicy policy(String... entries) {
        List<org.portcullis.lists.ListEntry> all = new java.util.ArrayList<>();
        for (String e : entries) {
            String[] f = e.split("\\|");
            all.add(ListIndexTest.entry(f[0], f[1], f[2]));
        }
        ListIndex index = ListIndex.of(all);
        return new IndexedListPolicy(() -> index, clock);
    }

    private static ListQuery at(String sender, String client, List<String> rcpts, List<String> from) throws Exception {
        return new ListQuery(sender, Optional.ofNullable(client == null ? null : InetAddress.getByName(client)), rcpts, from);
    }

    @Test
    void aBlockedSenderIsRefusedAtRcptWithTheEntryNamed() throws Exception {
        IndexedListPolicy p = policy("block|global|*.spam.example", "allow|user:fan@corp.example|*.spam.example");
        ListDecision.Block b = (ListDecision.Block) p.atRecipient(at("<X@mx.Spam.Example>", null, List.of("<bob@corp.example>"), List.of()));
        assertEquals("Rejected by Block list (*.spam.example)", b.reason());
        assertTrue(b.entry().matches("block \\*\\.spam\\.example \\(global, #\\d+\\)"), b.entry());
        ListDecision fan = p.atRecipient(at("x@mx.spam.example", null, List.of("fan@corp.example"), List.of()));
        assertEquals(ListDecision.Allow.class, fan.getClass(), "the user's own Allow wins for that user");
    }

    @Test
    void atEndOfMessageAHeaderBlockRejectsAndAllowNeedsEveryRecipient() throws Exception {
        IndexedListPolicy p = policy("block|global|from:phish.example", "allow|domain:corp.example|partner.example");
        ListDecision blocked = p.atEndOfMessage(at("bounce@mailer.example", "192.0.2.1", List.of("bob@corp.example"),
                List.of("\"Your Bank\" <security@Phish.example>")));
        assertEquals(ListDecision.Block.class, blocked.getClass());
        ListDecision allowed = p.atEndOfMessage(at("news@partner.example", null, List.of("a@corp.example", "b@corp.example"),
                List.of("news@partner.example")));
        assertEquals(ListDecision.Allow.class, allowed.getClass());
        ListDecision mixed = p.atEndOfMessage(at("news@partner.example", null, List.of("a@corp.example", "c@other.example"),
                List.of("news@partner.example")));
        assertEquals(ListDecision.NONE, mixed, "allowed for one recipient only: scanned in full");
    }

    @Test
    void headerFromAddressesAreReadFromTheUsualShapes() {
        assertEquals(List.of("a@b.example", "c@d.example", "e@f.example"), IndexedListPolicy.headerAddresses(
                List.of("\"A, the first\" <A@B.example>", "c@d.example, e@F.example")));
        assertEquals(List.of(), IndexedListPolicy.headerAddresses(List.of("undisclosed recipients")));
    }
}
