package org.portcullis.storage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The database behind this node. The {@code javax.sql.DataSource} itself is a separate service
 * with {@code dataSourceName=portcullis}; this one reports how it is doing. Thread-safe.
 */
@ProviderType
public interface Storage {

    /** The service property and value that select the Portcullis {@code DataSource}. */
    String DATA_SOURCE_FILTER = "(dataSourceName=portcullis)";

    /** The current state; cheap except for the schema list, which asks the database. */
    StorageStatus status();

    /**
     * Connects once to the PostgreSQL at {@code url} (not this node's pool), as a node about to
     * join a cluster there does: whether it answers with these credentials, and its product version.
     *
     * @param password empty: none
     * @throws StorageException in one line: not a PostgreSQL JDBC URL, unreachable, login refused
     */
    DatabaseProbe probe(String url, String user, String password) throws StorageException;
}
