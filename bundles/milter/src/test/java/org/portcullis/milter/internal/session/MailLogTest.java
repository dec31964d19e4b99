package org.portcullis.milter.internal.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.portcullis.policy.MessageRecord;
import org.portcullis.policy.Verdict;

/** The mail log line: one line, queue id first, key=value, quoted where needed, nothing empty. */
class MailLogTest {

    private static MessageRecord record(String queueId, String stage, String name, String address, String sender, List<String> to,
            long size, String msgid, String list, List<String> scanners, String score, Verdict.Kind verdict, String reply, long ms) {
        return new MessageRecord(Instant.EPOCH, queueId, stage, name, address, sender, to, size, msgid, list, scanners, score, "", verdict,
                reply, ms);
    }

    @Test
    void aScannedMessageIsOneGreppableLine() {
        MessageRecord r = record("4XyZ1q2w", "end", "mx.partner.example", "192.0.2.7", "alice@partner.example",
                List.of("bob@example.com", "carol@example.com"), 2412, "<a1@partner.example>", "allow *.partner.example (global, #7)",
                List.of("clamav:clean:3ms", "spamd:spam(5.5):41ms"), "5.5", Verdict.Kind.TAG, "accept", 44);
        assertEquals("4XyZ1q2w: stage=end client=mx.partner.example[192.0.2.7] from=alice@partner.example "
                + "to=bob@example.com,carol@example.com size=2412 msgid=<a1@partner.example> list=\"allow *.partner.example (global, #7)\" "
                + "scanners=clamav:clean:3ms,spamd:spam(5.5):41ms score=5.5 verdict=tag reply=accept ms=44", MailLog.line(r));
    }

    @Test
    void whatASenderControlsCannotBreakTheLine() {
        MessageRecord r = record("", "rcpt", "evil\r\nQ2: verdict=deliver", "192.0.2.9", "", List.of("x@example.com"), 0, "", "",
                List.of(), "", Verdict.Kind.REJECT, "550 5.7.1 \"quoted\" \\ text", 0);
        assertEquals("NOQUEUE: stage=rcpt client=\"evil Q2: verdict=deliver[192.0.2.9]\" from=<> to=x@example.com verdict=reject "
                + "reply=\"550 5.7.1 \\\"quoted\\\" \\\\ text\"", MailLog.line(r));
    }

    @Test
    void aClientWhoseNameDidNotResolveIsUnknownAsInPostfix() {
        MessageRecord r = record("Q", "mail", "[192.0.2.8]", "192.0.2.8", "a@b.example", List.of(), 0, "", "", List.of(), "",
                Verdict.Kind.TEMPFAIL, "451 4.3.2 later", 0);
        assertEquals("Q: stage=mail client=unknown[192.0.2.8] from=a@b.example verdict=tempfail reply=\"451 4.3.2 later\"", MailLog.line(r));
    }

    @Test
    void theReplyNamesWhatTheMtaWasTold() {
        assertEquals("accept", MailLog.reply(new Verdict.Deliver(List.of())));
        assertEquals("hold: spam score 12.0", MailLog.reply(new Verdict.Quarantine(List.of(), "spam score 12.0")));
        assertEquals("discard", MailLog.reply(new Verdict.Discard("x")));
        assertEquals("451 4.7.1 later", MailLog.reply(new Verdict.Tempfail("451 4.7.1 later")));
    }
}
