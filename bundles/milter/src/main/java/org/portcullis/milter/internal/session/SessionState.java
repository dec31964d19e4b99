package org.portcullis.milter.internal.session;

import org.portcullis.milter.internal.codec.MilterCommand;
import org.portcullis.milter.internal.codec.MilterProtocolException;

/**
 * The legal order of commands on one milter connection. {@link #accept} moves to the next state
 * or throws a one-line {@link MilterProtocolException} naming the command and where it came.
 * Steps the MTA leaves out (by negotiation, or because an earlier reply ended the message) are
 * allowed to be missing; what is never allowed is going back: a header after the body, a
 * recipient after DATA, a second negotiation.
 */
public final class SessionState {

    /** Where the connection is. */
    public enum Phase {
        /** Waiting for option negotiation. */
        START,
        /** Negotiated; waiting for the SMTP client's connection (again, after QUIT_NC). */
        NEGOTIATED,
        /** Connected, no message under way. */
        SESSION,
        /** MAIL given: the envelope is being built. */
        ENVELOPE,
        /** DATA given: headers arrive. */
        HEADERS,
        /** End of headers: body chunks arrive. */
        BODY,
        /** QUIT received: nothing more may come. */
        CLOSED
    }

    private Phase phase = Phase.START;

    public Phase phase() {
        return phase;
    }

    /**
     * Checks {@code command} against the current phase and moves on.
     *
     * @throws MilterProtocolException when the command is not allowed now
     */
    public Phase accept(MilterCommand command) {
        Phase next = next(command);
        if (next == null) {
            throw new MilterProtocolException(MilterCommand.name(command.code()) + " is not allowed " + where());
        }
        phase = next;
        return phase;
    }

    /**
     * The filter's reply ended the message early (accepted, rejected, discarded): the MTA sends
     * no more events for it, and the next message starts at MAIL.
     */
    public void endMessage() {
        if (inMessage()) {
            phase = Phase.SESSION;
        }
    }

    private Phase next(MilterCommand command) {
        if (phase == Phase.CLOSED) {
            return null;
        }
        return switch (command.code()) {
            case 'O' -> phase == Phase.START ? Phase.NEGOTIATED : null;
            case 'D' -> phase == Phase.START ? null : phase;
            case 'Q' -> Phase.CLOSED;
            case 'K' -> phase == Phase.START ? null : Phase.NEGOTIATED;
            case 'C' -> phase == Phase.NEGOTIATED ? Phase.SESSION : null;
            case 'H' -> atSessionLevel() ? Phase.SESSION : null;
            case 'M' -> atSessionLevel() ? Phase.ENVELOPE : null;
            case 'R' -> phase == Phase.ENVELOPE ? Phase.ENVELOPE : null;
            case 'U' -> atSessionLevel() || phase == Phase.ENVELOPE ? phase : null;
            case 'T' -> phase == Phase.ENVELOPE ? Phase.HEADERS : null;
            case 'L' -> phase == Phase.ENVELOPE || phase == Phase.HEADERS ? Phase.HEADERS : null;
            case 'N' -> phase == Phase.ENVELOPE || phase == Phase.HEADERS ? Phase.BODY : null;
            case 'B' -> inMessage() ? Phase.BODY : null;
            case 'E' -> inMessage() ? Phase.SESSION : null;
            case 'A' -> phase == Phase.START ? null : (phase == Phase.NEGOTIATED ? Phase.NEGOTIATED : Phase.SESSION);
            default -> null;
        };
    }

    /** A connected SMTP session outside a message; NEGOTIATED counts when the MTA leaves CONNECT out. */
    private boolean atSessionLevel() {
        return phase == Phase.SESSION || phase == Phase.NEGOTIATED;
    }

    private boolean inMessage() {
        return phase == Phase.ENVELOPE || phase == Phase.HEADERS || phase == Phase.BODY;
    }

    private String where() {
        return switch (phase) {
            case START -> "before option negotiation";
            case NEGOTIATED -> "before CONNECT";
            case SESSION -> "outside a message (after CONNECT/HELO or a finished message)";
            case ENVELOPE -> "in the envelope (after MAIL)";
            case HEADERS -> "among the headers (after DATA)";
            case BODY -> "in the body (after end of headers)";
            case CLOSED -> "after QUIT";
        };
    }
}
