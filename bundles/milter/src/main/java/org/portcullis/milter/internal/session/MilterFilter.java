package org.portcullis.milter.internal.session;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.portcullis.policy.Verdict;

/**
 * Layer 3: what decides about the mail on one milter connection. It answers in
 * {@link Verdict}s and knows nothing of the wire: the session turns a verdict into milter
 * replies ({@link VerdictReplies}), dropping any that need an action the MTA did not grant.
 *
 * <p>{@link #mail} and {@link #rcpt} run on the connection's I/O thread and must not block; an
 * empty answer lets the message go on. A verdict at MAIL ends the message; at RCPT a
 * {@link Verdict.Reject} or {@link Verdict.Tempfail} concerns that recipient only.
 * {@link #endOfMessage} may complete later on any thread, and the connection waits for it
 * (sending progress so the MTA does not time out); a failed stage is answered tempfail. One
 * instance per connection; not called concurrently.
 */
public interface MilterFilter {

    /** At MAIL FROM, for each new message. */
    Optional<Verdict> mail(Transaction tx);

    /** At each RCPT TO. */
    Optional<Verdict> rcpt(Transaction tx, String recipient);

    /** At end of message: the whole message is in {@link Transaction#spool()}. */
    CompletionStage<Verdict> endOfMessage(Transaction tx);
}
