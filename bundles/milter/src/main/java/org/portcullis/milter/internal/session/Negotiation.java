package org.portcullis.milter.internal.session;

import static org.portcullis.milter.internal.codec.MilterProtocol.NO_REPLY_BODY;
import static org.portcullis.milter.internal.codec.MilterProtocol.NO_REPLY_CONNECT;
import static org.portcullis.milter.internal.codec.MilterProtocol.NO_REPLY_DATA;
import static org.portcullis.milter.internal.codec.MilterProtocol.NO_REPLY_EOH;
import static org.portcullis.milter.internal.codec.MilterProtocol.NO_REPLY_HEADER;
import static org.portcullis.milter.internal.codec.MilterProtocol.NO_REPLY_HELO;
import static org.portcullis.milter.internal.codec.MilterProtocol.NO_REPLY_MAIL;
import static org.portcullis.milter.internal.codec.MilterProtocol.NO_REPLY_RCPT;
import static org.portcullis.milter.internal.codec.MilterProtocol.NO_REPLY_UNKNOWN;

import java.util.Map;

import org.portcullis.milter.internal.codec.MilterCommand;
import org.portcullis.milter.internal.codec.MilterProtocol;
import org.portcullis.milter.internal.codec.MilterProtocolException;
import org.portcullis.milter.internal.codec.MilterReply;

/**
 * What the MTA and Portcullis agreed in option negotiation: the actions Portcullis may take and
 * the protocol steps (events left out, replies not sent). Portcullis asks only for what the MTA
 * offers; an action it wanted but was not offered is kept in {@link #missingActions()} so the
 * caller can say which verdicts cannot be carried out.
 *
 * @param version the protocol version, always 6
 * @param actions the actions granted
 * @param protocol the protocol steps agreed
 * @param missingActions the actions wanted but not offered
 */
public record Negotiation(int version, int actions, int protocol, int missingActions) {

    /**
     * Agrees on options from the MTA's offer.
     *
     * @throws MilterProtocolException when the MTA speaks a protocol older than version 6
     */
    public static Negotiation agree(MilterCommand.OptionNegotiation offer, int wantedActions, int wantedProtocol) {
        if (offer.version() < MilterProtocol.VERSION) {
            throw new MilterProtocolException("OPTNEG: the MTA speaks milter protocol " + offer.version()
                    + "; Portcullis needs version 6 (Postfix: milter_protocol = 6)");
        }
        return new Negotiation(MilterProtocol.VERSION, wantedActions & offer.actions(), wantedProtocol & offer.protocol(),
                wantedActions & ~offer.actions());
    }

    /** Whether an action was granted. */
    public boolean may(int action) {
        return (actions & action) == action;
    }

    /** Whether a protocol step was agreed. */
    public boolean has(int step) {
        return (protocol & step) == step;
    }

    /** Whether the MTA waits for a reply to {@code command}. */
    public boolean expectsReply(MilterCommand command) {
        return switch (command.code()) {
            case 'O', 'E' -> true;
            case 'C' -> !has(NO_REPLY_CONNECT);
            case 'H' -> !has(NO_REPLY_HELO);
            case 'M' -> !has(NO_REPLY_MAIL);
            case 'R' -> !has(NO_REPLY_RCPT);
            case 'T' -> !has(NO_REPLY_DATA);
            case 'L' -> !has(NO_REPLY_HEADER);
            case 'N' -> !has(NO_REPLY_EOH);
            case 'B' -> !has(NO_REPLY_BODY);
            case 'U' -> !has(NO_REPLY_UNKNOWN);
            default -> false; // macros, abort, quit
        };
    }

    /** The negotiation reply to send. */
    public MilterReply.Negotiate reply() {
        return new MilterReply.Negotiate(version, actions, protocol, Map.of());
    }
}
