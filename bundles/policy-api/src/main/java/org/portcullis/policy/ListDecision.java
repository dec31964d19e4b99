package org.portcullis.policy;

/** What the lists say about a message or one recipient of it. */
public sealed interface ListDecision {

    /** No entry matched: the message is scanned as usual. */
    ListDecision NONE = new None();

    /** An Allow list entry matched: spam and reputation scanners are skipped, every other scanner runs. */
    static ListDecision allow(String entry) {
        return new Allow(entry);
    }

    /** A Block list entry matched: the recipient (at RCPT) or the message (at end of message) is rejected with 550 5.7.1. */
    static ListDecision block(String entry, String reason) {
        return new Block(entry, reason);
    }

    /** No entry matched. */
    record None() implements ListDecision {
    }

    /** @param entry the matching entry as an admin would recognise it, named in the verdict headers */
    record Allow(String entry) implements ListDecision {
    }

    /**
     * @param entry the matching entry, named in the log
     * @param reason the text after {@code 550 5.7.1} the sender sees
     */
    record Block(String entry, String reason) implements ListDecision {
    }
}
