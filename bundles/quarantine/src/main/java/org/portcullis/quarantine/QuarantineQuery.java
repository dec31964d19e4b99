package org.portcullis.quarantine;

import java.time.Instant;
import java.util.Set;

/**
 * A search of the quarantine; every filter may be null (no restriction).
 *
 * @param recipient a recipient, exact, case-insensitive
 * @param sender the envelope sender, exact, case-insensitive
 * @param category {@code sandbox}, {@code virus}, {@code spam} or {@code policy}
 * @param state messages with at least one recipient in this state
 * @param domains the caller's domains (a domain-admin): messages with a recipient there or in a subdomain
 * @param addresses the caller's addresses (a user): messages with one of them as a recipient
 */
public record QuarantineQuery(String recipient, String sender, String category, String state, Instant since, Instant until, int limit,
        Set<String> domains, Set<String> addresses) {
}
