package org.portcullis.policy;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Keeps a held message (a {@link Verdict.Quarantine}) where the appliance, not the MTA, owns it:
 * the quarantine. The milter calls {@link #hold} at end of message, before it answers the MTA, and
 * tells the MTA to discard its copy only after {@code hold} has returned; when {@code hold} throws,
 * the MTA is answered with a temporary failure and keeps the message (the sender retries).
 *
 * <p>Contract for the provider: when {@code hold} returns, the message and every recipient are
 * durably stored (committed), so a crash right after it loses nothing; when it throws, nothing of
 * the message is kept. {@code content} is read once, to its end, on the calling thread and never
 * kept whole in memory; it is closed by the caller. Called by many connections at once.
 */
@ProviderType
public interface MessageHold {

    /** Why a message is held, as the quarantine files it. */
    enum Category {
        /** Waiting for, or failed by, the sandbox's analysis of its attachments. */
        SANDBOX,
        /** A scanner found a virus, and the policy holds rather than refuses. */
        VIRUS,
        /** Its spam score reached the quarantine threshold. */
        SPAM,
        /** A scanner found it suspicious, or a rule holds it. */
        POLICY;

        /** Lower-case name, as commands, the API and the tables write it. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * What the quarantine records of a held message besides its content.
     *
     * @param queueId the MTA's queue id (may be empty)
     * @param messageId the Message-ID header (may be empty)
     * @param sender the envelope sender, without angle brackets (empty for the null sender)
     * @param recipients the envelope recipients, without angle brackets, at least one
     * @param clientAddress the SMTP client's address (may be empty)
     * @param category why it is held
     * @param reason the verdict's reason, one line
     * @param details the scanners' results as the mail log writes them
     */
    record Held(String queueId, String messageId, String sender, List<String> recipients, String clientAddress, Category category,
            String reason, List<String> details) {
        public Held {
            recipients = List.copyOf(recipients);
            details = List.copyOf(details);
            if (recipients.isEmpty()) {
                throw new IllegalArgumentException("a held message needs at least one recipient");
            }
        }
    }

    /**
     * Stores the message and returns its quarantine id.
     *
     * @param content the whole message as it is to be delivered when released: headers (with the
     *        verdict's), blank line, body, CRLF line ends
     * @throws IOException when it cannot be stored (the database is down, the content cannot be
     *         read): nothing is kept
     */
    String hold(Held held, InputStream content) throws IOException;

    /**
     * The header a released copy carries: the quarantine id, a value used once and a signature
     * under the appliance's key over both and the Message-ID (since 1.2).
     */
    String RELEASE_HEADER = "X-Portcullis-Release";

    /**
     * Whether a message is a copy this quarantine released, passing the milter again:
     * {@code header} (the value of {@link #RELEASE_HEADER}) is signed by this appliance for the
     * message with {@code messageId}, its release is still under way, every one of
     * {@code recipients} is one that release is for, and this header has not passed before. True
     * at most once per header: the pass is recorded before this returns, so a replayed copy is held
     * like any other mail. The milter asks for every message that carries the header and is to be
     * delivered or held (the release that sent the copy learns from the pass that it got through),
     * and delivers a copy it would hold when this says true (since 1.2).
     *
     * @throws IOException when it cannot be checked (the database is down): the caller answers a
     *         temporary failure
     */
    default boolean releasedCopy(String header, String messageId, List<String> recipients) throws IOException {
        return false;
    }
}
