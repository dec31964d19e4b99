package org.portcullis.lists;

import java.time.Instant;

/**
 * One entry of an Allow or Block list.
 *
 * @param id the database id (0 before it is stored)
 * @param list Allow or Block
 * @param scope whose list
 * @param pattern what it matches
 * @param comment why it is there (may be empty)
 * @param creator the account that made it
 * @param created when
 * @param expires when it stops matching, or {@code null} for never
 */
public record ListEntry(long id, ListType list, Scope scope, Pattern pattern, String comment, String creator, Instant created,
        Instant expires) {

    public boolean activeAt(Instant now) {
        return expires == null || now.isBefore(expires);
    }

    /** How the entry reads in headers, logs and explanations: {@code block *.spam.example (global, #12)}. */
    public String describe() {
        return list.id() + " " + pattern + " (" + scope + (id > 0 ? ", #" + id : "") + ")";
    }
}
