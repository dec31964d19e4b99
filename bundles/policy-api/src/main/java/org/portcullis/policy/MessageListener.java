package org.portcullis.policy;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told of every {@link MessageRecord} the milter writes to the mail log (a whiteboard service:
 * register one and it is called from the next record on). Called on the mail path, by many
 * connections at once: keep the record and return at once, never block or write to a database
 * here; an exception is logged and the mail is not affected.
 */
@ConsumerType
public interface MessageListener {

    void message(MessageRecord record);
}
