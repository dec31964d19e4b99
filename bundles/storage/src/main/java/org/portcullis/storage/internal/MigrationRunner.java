package org.portcullis.storage.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.portcullis.storage.ChecksumMismatchException;
import org.portcullis.storage.Migration;
import org.portcullis.storage.MigrationException;
import org.portcullis.storage.MigrationLockException;
import org.portcullis.storage.SchemaMigrator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs bundle migrations under one PostgreSQL advisory lock and records them in
 * {@code storage.schema_history}. Why not Liquibase: see the bundle README.
 */
public final class MigrationRunner implements SchemaMigrator {

    /** The advisory lock key every Portcullis node uses for migrations ("Portcull" in ASCII). */
    static final long LOCK_KEY = 0x506f727463756c6cL;

    private static final Pattern SCHEMA = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    private static final Logger LOG = LoggerFactory.getLogger(MigrationRunner.class);

    private final DataSource dataSource;
    private final Duration lockWait;
    private final String node;

    public MigrationRunner(DataSource dataSource, Duration lockWait, String node) {
        this.dataSource = dataSource;
        this.lockWait = lockWait;
        this.node = node;
    }

    @Override
    public int migrate(String schema, List<Migration> migrations) throws MigrationException {
        if (schema == null || !SCHEMA.matcher(schema).matches() || schema.startsWith("pg_")) {
            throw new MigrationException("schema name '" + schema + "' is not a lower-case identifier [a-z][a-z0-9_]*");
        }
        List<Migration> ordered = new ArrayList<>(migrations);
        ordered.sort(Comparator.comparingInt(Migration::version));
        for (int i = 1; i < ordered.size(); i++) {
            if (ordered.get(i).version() == ordered.get(i - 1).version()) {
                throw new MigrationException("schema " + schema + ": two migrations have version "
                        + ordered.get(i).version() + " (" + ordered.get(i - 1).fileName() + ", "
                        + ordered.get(i).fileName() + ")");
            }
        }
        try (Connection c = dataSource.getConnection()) {
            lock(c, schema);
            try {
                return migrateLocked(c, schema, ordered);
            } finally {
                unlock(c);
            }
        } catch (SQLException e) {
            throw new MigrationException("schema " + schema + ": database error: " + Errors.describe(e), e);
        }
    }

    private int migrateLocked(Connection c, String schema, List<Migration> ordered)
            throws SQLException, MigrationException {
        SchemaHistory.create(c);
        Map<Integer, String> applied = SchemaHistory.checksums(c, schema);
        Map<Integer, Migration> shipped = new HashMap<>();
        ordered.forEach(m -> shipped.put(m.version(), m));
        int current = 0;
        for (Map.Entry<Integer, String> row : applied.entrySet()) {
            Migration m = shipped.get(row.getKey());
            if (m == null) {
                throw new MigrationException("schema " + schema + " has migration version " + row.getKey()
                        + " applied, which this bundle does not ship: the database is newer than the bundle");
            }
            if (!m.checksum().equals(row.getValue())) {
                throw new ChecksumMismatchException("schema " + schema + ": migration " + m.fileName()
                        + " was changed after it was applied (checksum " + abbreviate(m.checksum())
                        + " now, " + abbreviate(row.getValue()) + " when applied); restore the original script");
            }
            current = Math.max(current, row.getKey());
        }
        for (Migration m : ordered) {
            if (!applied.containsKey(m.version()) && m.version() < current) {
                throw new MigrationException("schema " + schema + ": migration " + m.fileName()
                        + " is older than the applied version " + current + " but was never applied");
            }
        }
        for (Migration m : ordered) {
            if (!applied.containsKey(m.version())) {
                apply(c, schema, m);
                current = m.version();
            }
        }
        return current;
    }

    private void apply(Connection c, String schema, Migration m) throws SQLException, MigrationException {
        long start = System.nanoTime();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            st.execute("SET LOCAL search_path TO " + schema);
            st.execute(m.script());
            SchemaHistory.record(c, schema, m, node, Duration.ofNanos(System.nanoTime() - start));
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw new MigrationException("schema " + schema + ": migration " + m.fileName()
                    + " failed and was rolled back: " + Errors.describe(e), e);
        } finally {
            c.setAutoCommit(true);
        }
        LOG.info("Schema {}: applied migration {} in {} ms", schema, m.fileName(),
                Duration.ofNanos(System.nanoTime() - start).toMillis());
    }

    private void lock(Connection c, String schema) throws SQLException, MigrationLockException {
        long deadline = System.nanoTime() + lockWait.toNanos();
        boolean logged = false;
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            ps.setLong(1, LOCK_KEY);
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new MigrationLockException("schema " + schema + ": another node held the migration lock for more than "
                            + lockWait.toSeconds() + " s; check storage:status on the other nodes");
                }
                if (!logged) {
                    LOG.info("Schema {}: waiting for another node to finish migrating", schema);
                    logged = true;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new MigrationLockException("schema " + schema + ": interrupted while waiting for the migration lock");
                }
            }
        }
    }

    private static void unlock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            ps.setLong(1, LOCK_KEY);
            ps.execute();
        }
    }

    private static String abbreviate(String checksum) {
        return checksum.length() > 12 ? checksum.substring(0, 12) : checksum;
    }
}
