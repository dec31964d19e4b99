package org.portcullis.tracking;

import java.time.Instant;
import java.util.Set;

import org.portcullis.policy.Verdict;

/**
 * What to look for; every field left {@code null} matches anything. Text fields match whole
 * values, case-insensitively for addresses.
 *
 * @param queueId the MTA's queue id
 * @param messageId the Message-ID header, with or without angle brackets
 * @param sender the envelope sender
 * @param recipient one of the recipients
 * @param verdict the verdict kind
 * @param since from this time on (inclusive)
 * @param until before this time
 * @param limit at most this many records, newest first (1 to 1000)
 * @param domains only records with a sender or recipient in these domains or their subdomains
 *        (a domain-admin's scope); {@code null} for no such restriction
 * @param addresses only records with one of these addresses as sender or recipient (a user's
 *        scope); {@code null} for no such restriction
 */
public record Query(String queueId, String messageId, String sender, String recipient, Verdict.Kind verdict, Instant since, Instant until,
        int limit, Set<String> domains, Set<String> addresses) {

    /** Everything, newest first, at most {@code limit}. */
    public static Query latest(int limit) {
        return new Query(null, null, null, null, null, null, null, limit, null, null);
    }
}
