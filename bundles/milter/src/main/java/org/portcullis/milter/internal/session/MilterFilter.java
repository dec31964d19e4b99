package org.portcullis.milter.internal.session;

import java.util.List;
import java.util.concurrent.CompletionStage;

import org.portcullis.milter.internal.codec.MilterReply;

/**
 * Layer 3: what decides about the mail on one milter connection. The session calls it at the
 * points where a decision can be made and sends what it returns as one burst of replies; an
 * empty list means "continue". Modifications (headers, quarantine) come first and the final
 * response last: an {@link MilterReply.Action} (continue, accept, reject, tempfail, discard) or a
 * {@link MilterReply.ReplyCode}, which is itself the final response (a 5xx rejects, a 4xx
 * tempfails, with that text) and must not be followed by an action. Replies after the final one
 * are dropped and logged as a bug; replies needing an action the MTA did not grant are dropped
 * with a log line naming the action.
 *
 * <p>{@link #mail} and {@link #rcpt} run on the connection's I/O thread and must not block;
 * {@link #endOfMessage} may complete later on any thread, and the connection waits for it (sending
 * progress so the MTA does not time out). One instance per connection; not called concurrently.
 */
public interface MilterFilter {

    /** At MAIL FROM, for each new message. */
    List<MilterReply> mail(Transaction tx);

    /** At each RCPT TO; a reject or tempfail here concerns that recipient only. */
    List<MilterReply> rcpt(Transaction tx, String recipient);

    /** At end of message: the whole message is in {@link Transaction#spool()}. */
    CompletionStage<List<MilterReply>> endOfMessage(Transaction tx);
}
