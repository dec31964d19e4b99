package org.portcullis.milter.internal.codec;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * A reply from the filter to the MTA. Constructors check what the MTA would otherwise reject or
 * misread (reply codes, header names, NUL bytes), so a bad reply fails where it is made.
 */
public sealed interface MilterReply {

    /** The one-letter code of the reply on the wire. */
    char code();

    /** Replies without payload. */
    enum Action implements MilterReply {
        /** 'c': go on with the next event. */
        CONTINUE('c'),
        /** 'a': accept the message (or connection) without further events. */
        ACCEPT('a'),
        /** 'r': reject with the MTA's default 5xx. */
        REJECT('r'),
        /** 't': fail temporarily with the MTA's default 4xx. */
        TEMPFAIL('t'),
        /** 'd': accept and silently drop the message. */
        DISCARD('d'),
        /** 'p': still working; restarts the MTA's timeout. */
        PROGRESS('p'),
        /** 's': skip the remaining events of this kind (body chunks). */
        SKIP('s'),
        /** 'f': make the MTA fail the connection. */
        CONNECTION_FAILURE('f'),
        /** '4': 421, the MTA closes the SMTP connection. */
        SHUTDOWN('4');

        private final char code;

        Action(char code) {
            this.code = code;
        }

        @Override
        public char code() {
            return code;
        }
    }

    /** 'O': the protocol version, actions and steps the filter wants, and optional macro lists per stage. */
    record Negotiate(int version, int actions, int protocol, Map<Integer, String> macrosByStage) implements MilterReply {
        public Negotiate {
            macrosByStage = Map.copyOf(macrosByStage);
            macrosByStage.values().forEach(v -> Checks.noNul(v, "macro list"));
        }

        public char code() {
            return 'O';
        }
    }

    /** 'y': a full SMTP reply such as {@code 550 5.7.1 Message rejected: virus}; replaces the verdict's default text. */
    record ReplyCode(String text) implements MilterReply {
        private static final Pattern VALID = Pattern.compile("[45][0-9][0-9]( [^\\r\\n\\x00]*)?");

        public ReplyCode {
            if (text == null || !VALID.matcher(text).matches()) {
                throw new IllegalArgumentException("reply '" + text + "' is not a 4xx/5xx code followed by text on one line");
            }
        }

        public char code() {
            return 'y';
        }
    }

    /** 'h': add a header at the end. */
    record AddHeader(String name, String value) implements MilterReply {
        public AddHeader {
            Checks.header(name, value);
        }

        public char code() {
            return 'h';
        }
    }

    /** 'i': insert a header at a position (0 = first). */
    record InsertHeader(int index, String name, String value) implements MilterReply {
        public InsertHeader {
            Checks.index(index);
            Checks.header(name, value);
        }

        public char code() {
            return 'i';
        }
    }

    /** 'm': change the {@code index}-th (1-based) header of this name; an empty value deletes it. */
    record ChangeHeader(int index, String name, String value) implements MilterReply {
        public ChangeHeader {
            Checks.index(index);
            Checks.header(name, value);
        }

        public char code() {
            return 'm';
        }
    }

    /** '+': add a recipient. */
    record AddRecipient(String recipient) implements MilterReply {
        public AddRecipient {
            Checks.noNul(recipient, "recipient");
        }

        public char code() {
            return '+';
        }
    }

    /** '2': add a recipient with ESMTP arguments. */
    record AddRecipientWithArgs(String recipient, String args) implements MilterReply {
        public AddRecipientWithArgs {
            Checks.noNul(recipient, "recipient");
            Checks.noNul(args, "ESMTP arguments");
        }

        public char code() {
            return '2';
        }
    }

    /** '-': remove a recipient. */
    record DeleteRecipient(String recipient) implements MilterReply {
        public DeleteRecipient {
            Checks.noNul(recipient, "recipient");
        }

        public char code() {
            return '-';
        }
    }

    /** 'e': change the envelope sender; {@code args} (ESMTP) may be empty. */
    record ChangeFrom(String sender, String args) implements MilterReply {
        public ChangeFrom {
            Checks.noNul(sender, "sender");
            Checks.noNul(args, "ESMTP arguments");
        }

        public char code() {
            return 'e';
        }
    }

    /** 'q': put the message in the MTA's hold queue, with a reason. */
    record Quarantine(String reason) implements MilterReply {
        public Quarantine {
            Checks.noNul(reason, "quarantine reason");
        }

        public char code() {
            return 'q';
        }
    }

    /** 'b': one chunk of a replacement body (at most {@link MilterProtocol#CHUNK_SIZE} bytes). */
    record ReplaceBody(byte[] chunk) implements MilterReply {
        public ReplaceBody {
            if (chunk.length > MilterProtocol.CHUNK_SIZE) {
                throw new IllegalArgumentException("body chunk of " + chunk.length + " bytes exceeds " + MilterProtocol.CHUNK_SIZE);
            }
            chunk = chunk.clone();
        }

        @Override
        public byte[] chunk() {
            return chunk.clone();
        }

        public char code() {
            return 'b';
        }
    }

    /** Argument checks shared by the replies. */
    final class Checks {
        private static final Pattern HEADER_NAME = Pattern.compile("[!-9;-~]+");

        private Checks() {
        }

        static void header(String name, String value) {
            if (name == null || !HEADER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("header name '" + name + "' is not printable ASCII without ':' or spaces");
            }
            noNul(value, "value of header " + name);
        }

        static void noNul(String s, String what) {
            if (s == null || s.indexOf('\0') >= 0) {
                throw new IllegalArgumentException(what + " is missing or contains a NUL byte");
            }
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) > 0xff) {
                    throw new IllegalArgumentException(what + " has a character outside ISO-8859-1 at " + i);
                }
            }
        }

        static void index(int index) {
            if (index < 0) {
                throw new IllegalArgumentException("header index " + index + " is negative");
            }
        }
    }
}
