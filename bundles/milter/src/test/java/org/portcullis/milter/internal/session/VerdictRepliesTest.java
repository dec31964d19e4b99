package org.portcullis.milter.internal.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.portcullis.milter.internal.codec.MilterReply;
import org.portcullis.milter.internal.codec.MilterReply.ChangeHeader;
import org.portcullis.policy.Verdict;

/** The one translation of verdicts into milter replies. */
class VerdictRepliesTest {

    private static final Verdict.Header CLEAN = new Verdict.Header("X-Portcullis-Verdict", "clean");

    @Test
    void receivedPortcullisHeadersAreDeletedHighestIndexFirst() {
        List<Map.Entry<String, String>> received = List.of(Map.entry("Subject", "hi"),
                Map.entry("X-Portcullis-Verdict", "clean"), Map.entry("x-portcullis-score", "0.0"),
                Map.entry("X-PORTCULLIS-VERDICT", "clean"), Map.entry("X-Other", "kept"));
        assertEquals(List.of(new ChangeHeader(2, "X-PORTCULLIS-VERDICT", ""), new ChangeHeader(1, "x-portcullis-score", ""),
                new ChangeHeader(1, "X-Portcullis-Verdict", "")), VerdictReplies.removals(received));
    }

    @Test
    void eachKindBecomesItsReplies() {
        List<Map.Entry<String, String>> forged = List.of(Map.entry("X-Portcullis-Verdict", "clean"));
        ChangeHeader removal = new ChangeHeader(1, "X-Portcullis-Verdict", "");
        assertEquals(List.of(removal, new MilterReply.AddHeader("X-Portcullis-Verdict", "clean"), MilterReply.Action.ACCEPT),
                VerdictReplies.of(new Verdict.Deliver(List.of(CLEAN)), forged));
        assertEquals(List.of(removal, new MilterReply.AddHeader("X-Portcullis-Verdict", "spam"), MilterReply.Action.ACCEPT),
                VerdictReplies.of(new Verdict.Tag(List.of(new Verdict.Header("X-Portcullis-Verdict", "spam"))), forged));
        assertEquals(List.of(removal, new MilterReply.AddHeader("X-Portcullis-Verdict", "clean"), new MilterReply.Quarantine("held: why"),
                MilterReply.Action.ACCEPT), VerdictReplies.of(new Verdict.Quarantine(List.of(CLEAN), "held: why"), forged));
        assertEquals(List.of(new MilterReply.ReplyCode("550 5.7.1 virus X found")),
                VerdictReplies.of(new Verdict.Reject("550 5.7.1 virus X found"), forged), "a refusal deletes and adds nothing");
        assertEquals(List.of(new MilterReply.ReplyCode("451 4.7.1 later")), VerdictReplies.of(new Verdict.Tempfail("451 4.7.1 later"), forged));
        assertEquals(List.of(MilterReply.Action.DISCARD), VerdictReplies.of(new Verdict.Discard("policy"), forged));
        assertEquals(List.of(MilterReply.Action.ACCEPT), VerdictReplies.of(new Verdict.Deliver(List.of()), List.of(Map.entry("Subject", "x"))));
    }
}
