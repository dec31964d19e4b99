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
        List<Migration> ordered = ordered(schema, migrations);
        try (Connection c = dataSource.getConnection()) {
            lock(c, schema);
            try {
                SchemaHistory.create(c);
                Plan plan = plan(c, schema, ordered);
                for (Migration m : plan.pending()) {
                    long start = System.nanoTime();
                    inTransaction(c, x -> apply(x, schema, m, start));
                    logApplied(schema, m, start);
                }
                return plan.pending().isEmpty() ? plan.current() : plan.pending().get(plan.pending().size() - 1).version();
            } finally {
                unlock(c);
            }
        } catch (SQLException e) {
            throw new MigrationException("schema " + schema + ": database error: " + Errors.describe(e), e);
        }
    }

    /** Work done in the same transaction as the migrations, after them (for example the product version). */
    @FunctionalInterface
    public interface InTransaction {
        void run(Connection c) throws SQLException, MigrationException;
    }

    /**
     * Every schema's pending migrations and then {@code last}, in ONE transaction under the
     * migration lock: all of it is committed or none of it. Every schema is verified (checksums,
     * order, a database newer than the bundle) before anything runs. Returns each schema's version.
     */
    public Map<String, Integer> migrateTogether(Map<String, List<Migration>> bySchema, InTransaction last) throws MigrationException {
        Map<String, List<Migration>> ordered = new java.util.TreeMap<>();
        for (var e : bySchema.entrySet()) {
            ordered.put(e.getKey(), ordered(e.getKey(), e.getValue()));
        }
        try (Connection c = dataSource.getConnection()) {
            lock(c, "(all schemas)");
            try {
                SchemaHistory.create(c);
                Map<String, Plan> plans = new java.util.TreeMap<>();
                for (var e : ordered.entrySet()) {
                    plans.put(e.getKey(), plan(c, e.getKey(), e.getValue()));
                }
                long start = System.nanoTime();
                Map<String, Integer> versions = new java.util.TreeMap<>();
                inTransaction(c, x -> {
                    for (var e : plans.entrySet()) {
                        int v = e.getValue().current();
                        for (Migration m : e.getValue().pending()) {
                            apply(x, e.getKey(), m, System.nanoTime());
                            v = m.version();
                        }
                        versions.put(e.getKey(), v);
                    }
                    last.run(x);
                });
                plans.forEach((schema, plan) -> plan.pending().forEach(m -> logApplied(schema, m, start)));
                return versions;
            } finally {
                unlock(c);
            }
        } catch (SQLException e) {
            throw new MigrationException("migrations in one transaction: database error: " + Errors.describe(e), e);
        }
    }

    /** {@code work} in one transaction on {@code c}: committed if it returns, rolled back if it throws. */
    private static void inTransaction(Connection c, InTransaction work) throws SQLException, MigrationException {
        c.setAutoCommit(false);
        try {
            work.run(c);
            c.commit();
        } catch (SQLException | MigrationException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static List<Migration> ordered(String schema, List<Migration> migrations) throws MigrationException {
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
        return ordered;
    }

    /** The applied version and what is left to apply, once what was applied is verified against what is shipped. */
    private record Plan(int current, List<Migration> pending) {
    }

    private static Plan plan(Connection c, String schema, List<Migration> ordered) throws SQLException, MigrationException {
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
        List<Migration> pending = new ArrayList<>();
        for (Migration m : ordered) {
            if (!applied.containsKey(m.version())) {
                if (m.version() < current) {
                    throw new MigrationException("schema " + schema + ": migration " + m.fileName()
                            + " is older than the applied version " + current + " but was never applied");
                }
                pending.add(m);
            }
        }
        return new Plan(current, pending);
    }

    /** Runs one migration inside the caller's transaction and records it. */
    private void apply(Connection c, String schema, Migration m, long start) throws SQLException, MigrationException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            st.execute("SET LOCAL search_path TO " + schema);
            st.execute(m.script());
            SchemaHistory.record(c, schema, m, node, Duration.ofNanos(System.nanoTime() - start));
        } catch (SQLException e) {
            throw new MigrationException("schema " + schema + ": migration " + m.fileName()
                    + " failed and was rolled back: " + Errors.describe(e), e);
        }
    }

    private static void logApplied(String schema, Migration m, long start) {
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
