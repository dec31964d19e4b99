package org.portcullis.policy;

import java.util.List;
import java.util.Locale;

/**
 * What happens to a message (or, at RCPT, to one recipient), as the pipeline decides it. It says
 * nothing of the milter protocol: the milter's session turns it into replies (deleting forged
 * verdict headers, adding these headers, holding, refusing), the statistics count its
 * {@link #kind()}, and the mail log records it.
 */
public sealed interface Verdict {

    /** The kinds of verdict, as the mail log, the statistics and the metrics name them. */
    enum Kind {
        /** Delivered, with the verdict headers. */
        DELIVER,
        /** Delivered, marked as spam in its headers. */
        TAG,
        /** Held (the MTA's hold queue, later the quarantine), with a reason. */
        QUARANTINE,
        /** Refused with a 5xx: the sender is told, nothing is delivered. */
        REJECT,
        /** Refused with a 4xx: the sender's MTA keeps the message and tries again. */
        TEMPFAIL,
        /** Accepted and thrown away, the sender told it was delivered. */
        DISCARD;

        /** Lower-case name: {@code deliver}, {@code tag}, … */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    Kind kind();

    /** A header Portcullis adds to a delivered or held message. */
    record Header(String name, String value) {
    }

    /** Deliver, with {@code headers} added. */
    record Deliver(List<Header> headers) implements Verdict {
        public Deliver {
            headers = List.copyOf(headers);
        }

        public Kind kind() {
            return Kind.DELIVER;
        }
    }

    /** Deliver, marked as spam: {@code headers} say so. */
    record Tag(List<Header> headers) implements Verdict {
        public Tag {
            headers = List.copyOf(headers);
        }

        public Kind kind() {
            return Kind.TAG;
        }
    }

    /** Hold the message, with {@code headers} added, for {@code reason} (one line). */
    record Quarantine(List<Header> headers, String reason) implements Verdict {
        public Quarantine {
            headers = List.copyOf(headers);
            reason = oneLine(reason);
        }

        public Kind kind() {
            return Kind.QUARANTINE;
        }
    }

    /** Refuse with a permanent SMTP reply, such as {@code 550 5.7.1 Message rejected: virus X found}. */
    record Reject(String reply) implements Verdict {
        public Reject {
            reply = smtpReply(reply, '5');
        }

        public Kind kind() {
            return Kind.REJECT;
        }
    }

    /** Refuse for now with a temporary SMTP reply, such as {@code 451 4.7.1 …}: the sender retries. */
    record Tempfail(String reply) implements Verdict {
        public Tempfail {
            reply = smtpReply(reply, '4');
        }

        public Kind kind() {
            return Kind.TEMPFAIL;
        }
    }

    /** Accept and drop, for {@code reason}. */
    record Discard(String reason) implements Verdict {
        public Discard {
            reason = oneLine(reason);
        }

        public Kind kind() {
            return Kind.DISCARD;
        }
    }

    /** The headers a delivered or held message gets; none for a refusal. */
    default List<Header> headers() {
        return List.of();
    }

    /** The SMTP reply text for a refusal ({@code 550 5.7.1 …}); empty for anything else. */
    default String reply() {
        return "";
    }

    /** {@code text} as one line of printable ISO-8859-1, at most 200 characters: safe in a reply or a header. */
    static String oneLine(String text) {
        return Lines.oneLine(text);
    }

    /**
     * @throws IllegalArgumentException unless {@code reply} is a {@code klass}xx reply code, an
     *         enhanced status of the same class and a text, on one line
     */
    private static String smtpReply(String reply, char klass) {
        String r = oneLine(reply);
        if (!(klass == '4' ? Lines.REPLY4 : Lines.REPLY5).matcher(r).matches()) {
            throw new IllegalArgumentException("not a " + klass + "xx SMTP reply with an enhanced status code: '" + r + "'");
        }
        return r;
    }
}
