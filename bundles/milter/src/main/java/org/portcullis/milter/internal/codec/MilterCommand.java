package org.portcullis.milter.internal.codec;

import java.util.List;
import java.util.Map;

import io.netty.buffer.ByteBuf;

/**
 * A command from the MTA, decoded from one frame. Strings are the frame's bytes read as
 * ISO-8859-1, one char per byte, so nothing is lost; the filter layer decodes them as it needs.
 * {@link Body} and {@link EndOfMessage} hold a slice of the received buffer, which the receiver
 * must release.
 */
public sealed interface MilterCommand {

    /** The one-letter code of the command on the wire. */
    char code();

    /** 'O': the MTA's protocol version and the actions and steps it offers. */
    record OptionNegotiation(int version, int actions, int protocol) implements MilterCommand {
        public char code() {
            return 'O';
        }
    }

    /** Address family of a connecting client (SMFIA_*). */
    enum Family {
        UNKNOWN('U'), UNIX('L'), INET('4'), INET6('6');

        final char code;

        Family(char code) {
            this.code = code;
        }

        static Family of(char code) {
            for (Family f : values()) {
                if (f.code == code) {
                    return f;
                }
            }
            throw new MilterProtocolException("CONNECT: unknown address family '" + printable(code) + "'");
        }
    }

    /** 'C': the client's host name and, unless the family is UNKNOWN, its port and address. */
    record Connect(String hostname, Family family, int port, String address) implements MilterCommand {
        public char code() {
            return 'C';
        }
    }

    /** 'H': the HELO/EHLO argument. */
    record Helo(String name) implements MilterCommand {
        public char code() {
            return 'H';
        }
    }

    /** 'M': the sender, then ESMTP arguments. */
    record Mail(List<String> args) implements MilterCommand {
        public char code() {
            return 'M';
        }
    }

    /** 'R': one recipient, then ESMTP arguments. */
    record Rcpt(List<String> args) implements MilterCommand {
        public char code() {
            return 'R';
        }
    }

    /** 'D': macros (name to value, in wire order) for the command with code {@code forCommand}. */
    record Macros(char forCommand, Map<String, String> values) implements MilterCommand {
        public char code() {
            return 'D';
        }
    }

    /** 'T': the DATA command was given. */
    record Data() implements MilterCommand {
        public char code() {
            return 'T';
        }
    }

    /** 'L': one header, name and value. */
    record Header(String name, String value) implements MilterCommand {
        public char code() {
            return 'L';
        }
    }

    /** 'N': end of headers. */
    record EndOfHeaders() implements MilterCommand {
        public char code() {
            return 'N';
        }
    }

    /** 'B': a chunk of the body (at most the negotiated data size). The receiver releases it. */
    record Body(ByteBuf chunk) implements MilterCommand {
        public char code() {
            return 'B';
        }
    }

    /** 'E': end of message, with a last body chunk that is usually empty. The receiver releases it. */
    record EndOfMessage(ByteBuf chunk) implements MilterCommand {
        public char code() {
            return 'E';
        }
    }

    /** 'U': an SMTP command the MTA did not recognise. */
    record Unknown(String command) implements MilterCommand {
        public char code() {
            return 'U';
        }
    }

    /** 'A': the current message is abandoned; the connection stays. */
    record Abort() implements MilterCommand {
        public char code() {
            return 'A';
        }
    }

    /** 'Q': the connection ends. */
    record Quit() implements MilterCommand {
        public char code() {
            return 'Q';
        }
    }

    /** 'K': the SMTP connection ends, and the milter connection will serve a new one. */
    record QuitNewConnection() implements MilterCommand {
        public char code() {
            return 'K';
        }
    }

    /** The protocol's name of a command code (OPTNEG, CONNECT, ...), for messages and logs. */
    static String name(char code) {
        return switch (code) {
            case 'O' -> "OPTNEG";
            case 'C' -> "CONNECT";
            case 'H' -> "HELO";
            case 'M' -> "MAIL";
            case 'R' -> "RCPT";
            case 'D' -> "MACRO";
            case 'T' -> "DATA";
            case 'L' -> "HEADER";
            case 'N' -> "EOH";
            case 'B' -> "BODY";
            case 'E' -> "BODYEOB";
            case 'U' -> "UNKNOWN";
            case 'A' -> "ABORT";
            case 'Q' -> "QUIT";
            case 'K' -> "QUIT_NC";
            default -> "command '" + printable(code) + "'";
        };
    }

    /** A command code as it can be shown in a log line. */
    public static String printable(int code) {
        return code >= 0x20 && code < 0x7f ? String.valueOf((char) code) : String.format("0x%02x", code & 0xff);
    }
}
