package org.portcullis.policy;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Allow and Block lists, asked by the milter for every message. Both methods are called on the
 * message path: answer from memory, never from the database, and do not block. They are called
 * concurrently for many connections.
 *
 * <p>What the milter does with the answers:
 * <ul>
 * <li>{@link #atRecipient}: Block rejects that recipient with {@code 550 5.7.1} and the reason;
 *     the message goes on for the other recipients. Allow for every accepted recipient allows the
 *     message.</li>
 * <li>{@link #atEndOfMessage} (the header From is known): Block rejects the message with
 *     {@code 550 5.7.1}; Allow allows it.</li>
 * <li>An allowed message skips scanners of category SPAM and REPUTATION, never the others
 *     (virus, sandbox); its verdict headers name the entry in {@code X-Portcullis-List}.</li>
 * <li>An exception answers a temporary failure ({@code 451 4.7.1}), so the sender retries.</li>
 * </ul>
 */
@ConsumerType
public interface ListPolicy {

    /** At RCPT: the envelope (sender, client address) against one recipient's lists. */
    ListDecision atRecipient(ListQuery query);

    /** At end of message: the envelope and the header From against the lists of all accepted recipients. */
    ListDecision atEndOfMessage(ListQuery query);
}
