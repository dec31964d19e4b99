package org.portcullis.storage;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What an online update does to the database; the updater is its one user.
 *
 * <p>An update swaps the bundles first and commits the database once: every migration the new
 * bundles bring, and the product version, in ONE transaction ({@link #commitUpdate}). So that
 * the new bundles do not migrate their schemas themselves when they start, the updater first
 * {@linkplain #holdMigrations holds migrations}: {@link SchemaMigrator} is withdrawn (and the
 * components that need it wait) until {@link #releaseMigrations}. The hold is kept in a file, so
 * it survives a crash or a restart of the container; the updater releases it when it has
 * committed, or rolled back.
 */
@ProviderType
public interface UpdateDatabase {

    /** Withdraws {@link SchemaMigrator} until {@link #releaseMigrations}, across restarts; {@code reason} is shown meanwhile. */
    void holdMigrations(String reason) throws StorageException;

    /** The reason of the hold in force, or empty. */
    Optional<String> migrationHold();

    /** Ends the hold: {@link SchemaMigrator} is registered again (once the database answers). */
    void releaseMigrations() throws StorageException;

    /** The product version the database was last committed at; empty before anything recorded one. */
    Optional<String> productVersion() throws StorageException;

    /** Records {@code version} as the database's product version when it has none (a fresh installation); returns the one it has. */
    String adoptProductVersion(String version) throws StorageException;

    /**
     * In ONE transaction under the migration lock: every schema's pending migrations, then the
     * product version changed from {@code from} to {@code to}. All of it is committed or none of
     * it. Every schema is verified before anything runs; a database whose product version is not
     * {@code from} is refused.
     *
     * @return each schema's version after the commit
     */
    Map<String, Integer> commitUpdate(Map<String, List<Migration>> bySchema, String from, String to) throws MigrationException;
}
