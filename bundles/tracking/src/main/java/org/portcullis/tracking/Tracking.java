package org.portcullis.tracking;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;
import org.portcullis.policy.MessageRecord;

/**
 * The mail log, kept in PostgreSQL (schema {@code tracking}) for every node of a cluster to
 * search: each record the milter writes is stored in batches, off the mail path, and kept for
 * {@code retention.days}. A record reaches the table within about a second of its mail-log line.
 */
@ProviderType
public interface Tracking {

    /**
     * The records that match, newest first.
     *
     * @throws TrackingException when the query is malformed or the database cannot answer
     */
    List<MessageRecord> search(Query query);
}
