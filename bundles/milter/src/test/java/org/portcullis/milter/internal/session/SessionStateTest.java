package org.portcullis.milter.internal.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.portcullis.milter.internal.codec.MilterCommand;
import org.portcullis.milter.internal.codec.MilterProtocolException;
import org.portcullis.milter.internal.session.SessionState.Phase;

class SessionStateTest {

    /** One letter per command, as on the wire. */
    private static List<MilterCommand> commands(String codes) {
        List<MilterCommand> out = new ArrayList<>();
        for (char c : codes.toCharArray()) {
            out.add(switch (c) {
                case 'O' -> new MilterCommand.OptionNegotiation(6, 0x1ff, 0x1fffff);
                case 'C' -> new MilterCommand.Connect("h", MilterCommand.Family.INET, 25, "192.0.2.1");
                case 'H' -> new MilterCommand.Helo("h");
                case 'M' -> new MilterCommand.Mail(List.of("<a@example.com>"));
                case 'R' -> new MilterCommand.Rcpt(List.of("<b@example.com>"));
                case 'D' -> new MilterCommand.Macros('M', Map.of("i", "4ABC"));
                case 'T' -> new MilterCommand.Data();
                case 'L' -> new MilterCommand.Header("Subject", "x");
                case 'N' -> new MilterCommand.EndOfHeaders();
                case 'B' -> new MilterCommand.Body(Unpooled.EMPTY_BUFFER);
                case 'E' -> new MilterCommand.EndOfMessage(Unpooled.EMPTY_BUFFER);
                case 'U' -> new MilterCommand.Unknown("XFOO");
                case 'A' -> new MilterCommand.Abort();
                case 'Q' -> new MilterCommand.Quit();
                case 'K' -> new MilterCommand.QuitNewConnection();
                default -> throw new IllegalArgumentException(String.valueOf(c));
            });
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // a full message, as Postfix sends it with every step
        "ODCDHDMDRRDTLLLNBBBE, SESSION",
        // two messages on one connection, then quit
        "OCHMRTLNBEMRTLNBEQ, CLOSED",
        // a message abandoned after RCPT (RSET), then another
        "OCHMRAMRTLNBE, SESSION",
        // abort in the middle of the body
        "OCHMRTLNBBA, SESSION",
        // steps negotiated away: no CONNECT, no HELO, no DATA, no EOH
        "OMRLBE, SESSION",
        "OCMRE, SESSION",
        // the MTA ends the message early after a MAIL reject, the next starts at MAIL
        "OCHMAMRTNE, SESSION",
        // unknown SMTP commands outside the data phase
        "OCUHMURTNBE, SESSION",
        // QUIT_NC: a new SMTP connection on the same milter connection, without renegotiating
        "OCHMRTNEKCHMRTNE, SESSION",
        // EHLO again after a finished message
        "OCHMRTNEHMRTNE, SESSION",
        // macros may come before any command after negotiation
        "ODDCDQ, CLOSED",
    })
    void legalOrdersAreAccepted(String codes, Phase end) {
        SessionState state = new SessionState();
        commands(codes).forEach(state::accept);
        assertEquals(end, state.phase());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "C, CONNECT is not allowed before option negotiation",
        "D, MACRO is not allowed before option negotiation",
        "OO, OPTNEG is not allowed before CONNECT",
        "OCC, CONNECT is not allowed outside a message",
        "OCHR, RCPT is not allowed outside a message",
        "OCHMT LR, RCPT is not allowed among the headers",
        "OCHMRTLNL, HEADER is not allowed in the body",
        "OCHMRTNBN, EOH is not allowed in the body",
        "OCHMRTT, DATA is not allowed among the headers",
        "OCHMM, MAIL is not allowed in the envelope",
        "OCHMRH, HELO is not allowed in the envelope",
        "OCHE, BODYEOB is not allowed outside a message",
        "OCHB, BODY is not allowed outside a message",
        "OCHMRTU, UNKNOWN is not allowed among the headers",
        "OCQH, HELO is not allowed after QUIT",
    })
    void illegalOrdersAreRefusedNamingTheCommandAndWhere(String codes, String message) {
        List<MilterCommand> sequence = commands(codes.replace(" ", ""));
        SessionState state = new SessionState();
        sequence.subList(0, sequence.size() - 1).forEach(state::accept);
        MilterProtocolException e = assertThrows(MilterProtocolException.class,
                () -> state.accept(sequence.get(sequence.size() - 1)));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }
}
