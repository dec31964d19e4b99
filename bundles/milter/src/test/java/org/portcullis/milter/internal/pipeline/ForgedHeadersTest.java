package org.portcullis.milter.internal.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.portcullis.milter.internal.codec.MilterReply;
import org.portcullis.milter.internal.codec.MilterReply.ChangeHeader;

class ForgedHeadersTest {

    @Test
    void receivedPortcullisHeadersAreDeletedHighestIndexFirst() {
        List<Map.Entry<String, String>> received = List.of(Map.entry("Subject", "hi"),
                Map.entry("X-Portcullis-Verdict", "clean"), Map.entry("x-portcullis-score", "0.0"),
                Map.entry("X-PORTCULLIS-VERDICT", "clean"), Map.entry("X-Other", "kept"));
        assertEquals(List.of(new ChangeHeader(2, "X-PORTCULLIS-VERDICT", ""), new ChangeHeader(1, "x-portcullis-score", ""),
                new ChangeHeader(1, "X-Portcullis-Verdict", "")), ForgedHeaders.removals(received));
    }

    @Test
    void onlyDeliveredMailNeedsThem() {
        List<Map.Entry<String, String>> received = List.of(Map.entry("X-Portcullis-Verdict", "clean"));
        List<MilterReply> reject = List.of(new MilterReply.ReplyCode("550 5.7.1 virus"));
        assertEquals(reject, ForgedHeaders.removeBeforeDelivery(received, reject));
        List<MilterReply> accept = List.of(new MilterReply.AddHeader("X-Portcullis-Verdict", "spam"), MilterReply.Action.ACCEPT);
        assertEquals(List.of(new ChangeHeader(1, "X-Portcullis-Verdict", ""), accept.get(0), accept.get(1)),
                ForgedHeaders.removeBeforeDelivery(received, accept));
        assertEquals(accept, ForgedHeaders.removeBeforeDelivery(List.of(Map.entry("Subject", "x")), accept));
    }
}
