package org.portcullis.quarantine;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;
import org.portcullis.auth.Account;

/**
 * The held messages, for the commands, the REST API and (later) the console. Every call that acts
 * on a message checks the caller: the right its category needs ({@code virus-release} for a virus,
 * {@code sandbox-release} or {@code virus-release} for the sandbox's, {@code quarantine-release}
 * otherwise; an admin holds them all) and, per recipient, the caller's scope.
 */
@ProviderType
public interface Quarantine {

    /** Messages matching {@code query}, newest first. */
    List<HeldMessage> search(QuarantineQuery query);

    /** The message {@code id} with every recipient's state, if {@code caller} may see it. */
    Optional<HeldMessage> get(long id, Account caller);

    /**
     * Delivers the message to {@code recipients} (empty: every held recipient the caller's scope
     * covers) through the re-injection listener, one SMTP transaction; a recipient is marked
     * released only once the listener has answered 250 to the data. Recipients already released,
     * deleted or expired are left as they are and reported, so a repeated release sends nothing.
     *
     * @throws QuarantineException naming what is wrong: no such message or recipient, a right or
     *         scope missing, the content gone, the listener down or refusing
     */
    Outcome release(long id, Set<String> recipients, Account caller);

    /**
     * The stored message (headers, blank line, body), read from the database a chunk at a time;
     * close it to give its connection back. For the sandbox, which analyses held mail.
     *
     * @throws QuarantineException (not found) when there is no such message or its content has expired
     */
    java.io.InputStream content(long id);

    /** Deletes the message for {@code recipients} (empty: every held one the caller covers); the same checks as a release. */
    Outcome delete(long id, Set<String> recipients, Account caller);

    /**
     * The message a release link names, showing that link's recipient only (since 1.2).
     *
     * @throws QuarantineException forbidden (a link this appliance did not sign, or for a category
     *         links do not release), gone (expired, used, or the message no longer kept)
     */
    HeldMessage linked(String token);

    /**
     * Releases the message a release link names to its one recipient, as {@link #release} does;
     * the link's use is recorded in the release's transaction, so it works once (since 1.2).
     *
     * @throws QuarantineException as {@link #linked}, and as {@link #release} when the listener fails
     *         (the link then still works)
     */
    Outcome releaseLinked(String token);

    /**
     * Sends each recipient whose digest is due a list of its newly held mail with a release link for
     * each message; {@code force}: also those whose last digest is recent (only mail not listed
     * before either way). Returns how many digests went out (since 1.2).
     */
    int sendDigests(boolean force);

    /**
     * What a release or delete did.
     *
     * @param done the recipients it released or deleted now
     * @param unchanged recipients left as they were, each with its state ({@code released}, …)
     * @param reply the listener's reply to the data (empty for a delete, or when nothing was sent)
     */
    record Outcome(List<String> done, List<String> unchanged, String reply) {
        public Outcome {
            done = List.copyOf(done);
            unchanged = List.copyOf(unchanged);
        }

        /** The outcome as the shell prints it, {@code verb} saying what was done ({@code Released}, {@code Deleted}). */
        public List<String> lines(String verb) {
            List<String> lines = new java.util.ArrayList<>();
            if (!done.isEmpty()) {
                lines.add(verb + " for " + String.join(", ", done) + (reply.isEmpty() ? "" : " (" + reply + ")"));
            }
            if (!unchanged.isEmpty()) {
                lines.add("Left as they were: " + String.join(", ", unchanged));
            }
            if (lines.isEmpty()) {
                lines.add("No recipient of yours is held in this message");
            }
            return lines;
        }
    }
}
