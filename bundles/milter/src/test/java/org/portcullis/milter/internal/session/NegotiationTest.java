package org.portcullis.milter.internal.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.portcullis.milter.internal.codec.MilterProtocol.ACTION_ADD_HEADERS;
import static org.portcullis.milter.internal.codec.MilterProtocol.ACTION_CHANGE_HEADERS;
import static org.portcullis.milter.internal.codec.MilterProtocol.ACTION_QUARANTINE;
import static org.portcullis.milter.internal.codec.MilterProtocol.NO_REPLY_BODY;
import static org.portcullis.milter.internal.codec.MilterProtocol.NO_REPLY_HEADER;
import static org.portcullis.milter.internal.codec.MilterProtocol.SKIP;

import java.util.List;
import java.util.Map;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.portcullis.milter.internal.codec.MilterCommand;
import org.portcullis.milter.internal.codec.MilterProtocolException;

class NegotiationTest {

    private static final int WANTED_ACTIONS = ACTION_ADD_HEADERS | ACTION_CHANGE_HEADERS | ACTION_QUARANTINE;
    private static final int WANTED_STEPS = NO_REPLY_HEADER | NO_REPLY_BODY | SKIP;

    @Test
    void grantsOnlyWhatTheMtaOffersAndReportsWhatIsMissing() {
        // An MTA that cannot quarantine and does not let headers go unanswered.
        Negotiation n = Negotiation.agree(new MilterCommand.OptionNegotiation(6, ACTION_ADD_HEADERS | ACTION_CHANGE_HEADERS,
                NO_REPLY_BODY | SKIP), WANTED_ACTIONS, WANTED_STEPS);
        assertEquals(ACTION_ADD_HEADERS | ACTION_CHANGE_HEADERS, n.actions());
        assertEquals(ACTION_QUARANTINE, n.missingActions());
        assertEquals(NO_REPLY_BODY | SKIP, n.protocol());
        assertTrue(n.may(ACTION_ADD_HEADERS));
        assertFalse(n.may(ACTION_QUARANTINE));
        // the reply as the MTA reads it: version 6, the actions granted, the steps agreed
        io.netty.buffer.ByteBuf wire = Unpooled.buffer();
        org.portcullis.milter.internal.codec.ReplyEncoder.encode(n.reply(), wire);
        byte[] frame = new byte[wire.readableBytes()];
        wire.readBytes(frame);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(frame);
        assertEquals(13, b.getInt(), "length: code and three 32-bit fields, no macro list");
        assertEquals('O', (char) b.get());
        assertEquals(6, b.getInt());
        assertEquals(ACTION_ADD_HEADERS | ACTION_CHANGE_HEADERS, b.getInt(), "exactly what was offered and wanted, not the quarantine");
        assertEquals(NO_REPLY_BODY | SKIP, b.getInt());
    }

    @Test
    void repliesAreExpectedUnlessNegotiatedAway() {
        Negotiation n = Negotiation.agree(new MilterCommand.OptionNegotiation(6, 0x1ff, 0x1fffff), WANTED_ACTIONS, WANTED_STEPS);
        assertFalse(n.expectsReply(new MilterCommand.Header("Subject", "x")));
        assertFalse(n.expectsReply(new MilterCommand.Body(Unpooled.EMPTY_BUFFER)));
        assertTrue(n.expectsReply(new MilterCommand.Rcpt(List.of("<b@example.com>"))));
        assertTrue(n.expectsReply(new MilterCommand.EndOfMessage(Unpooled.EMPTY_BUFFER)));
        assertFalse(n.expectsReply(new MilterCommand.Macros('C', Map.of())));
        assertFalse(n.expectsReply(new MilterCommand.Abort()));
        assertFalse(n.expectsReply(new MilterCommand.Quit()));
    }

    @Test
    void refusesAnMtaOlderThanVersion6() {
        MilterProtocolException e = assertThrows(MilterProtocolException.class,
                () -> Negotiation.agree(new MilterCommand.OptionNegotiation(2, 0x1ff, 0x7f), WANTED_ACTIONS, WANTED_STEPS));
        assertTrue(e.getMessage().contains("milter_protocol = 6"), e.getMessage());
    }
}
