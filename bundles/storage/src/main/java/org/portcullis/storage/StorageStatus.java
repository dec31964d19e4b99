package org.portcullis.storage;

import java.time.Instant;
import java.util.List;

/**
 * What {@code storage:status} shows.
 *
 * @param url the JDBC URL with any password removed
 * @param embedded whether the database is the embedded PostgreSQL under the data directory
 * @param reachable whether the last check reached the database
 * @param serverVersion the server's version string, or empty when never reached
 * @param lastError the last connection error in one line, or empty
 * @param lastCheck when the database was last checked, or {@code null} before the first check
 * @param pool the connection pool's counters
 * @param schemas each bundle schema's applied version
 */
public record StorageStatus(String url, boolean embedded, boolean reachable, String serverVersion,
        String lastError, Instant lastCheck, Pool pool, List<SchemaVersion> schemas) {

    /** Connection pool counters; all zero before the pool exists. */
    public record Pool(int active, int idle, int total, int waiting, int max) {
    }

    /** A schema's newest applied migration. */
    public record SchemaVersion(String schema, int version, String description, Instant appliedAt) {
    }
}
