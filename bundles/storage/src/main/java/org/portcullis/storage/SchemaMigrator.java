package org.portcullis.storage;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Brings a bundle's own schema to the newest version the bundle ships. Every bundle that keeps
 * data calls it from its component's activation, before it touches its tables:
 *
 * <pre>
 * migrator.migrate("lists", MigrationScripts.fromBundle(bundle, "db/migration"));
 * </pre>
 *
 * <p>Contract:
 * <ul>
 * <li>Each migration runs once, in ascending version order, in its own transaction, with the
 *     schema (created if missing) as {@code search_path}. A failing migration is rolled back
 *     and stops the run: the schema stays at the last good version.</li>
 * <li>Applied migrations are verified by checksum on every run; an edited one throws
 *     {@link ChecksumMismatchException} naming it, and nothing is applied.</li>
 * <li>One cluster-wide advisory lock serialises all migrations, so two nodes sharing the
 *     database never migrate at the same time; the second waits and then finds nothing to do.</li>
 * <li>The service is registered only while the database has answered at least once, so a
 *     component that requires it activates, and migrates, when the database is reachable.</li>
 * </ul>
 * Thread-safe; it blocks while it waits for the lock or runs SQL.
 */
@ProviderType
public interface SchemaMigrator {

    /**
     * Applies the pending migrations of {@code schema}.
     *
     * @param schema lower-case SQL identifier owned by the calling bundle ({@code [a-z][a-z0-9_]*})
     * @param migrations every migration the bundle ships, in any order
     * @return the schema version after the run (0 when the bundle ships none)
     * @throws ChecksumMismatchException when an applied migration was changed
     * @throws MigrationLockException when another node held the lock past the configured wait
     * @throws MigrationException when a script fails, versions repeat, or the database knows a
     *         version the bundle does not ship (the database is newer than the bundle)
     */
    int migrate(String schema, List<Migration> migrations) throws MigrationException;
}
