package org.portcullis.storage.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.portcullis.storage.Migration;
import org.portcullis.storage.StorageStatus.SchemaVersion;

/** The storage bundle's own table: which migration of which schema was applied, when, by which node. */
final class SchemaHistory {

    static final String TABLE = "storage.schema_history";

    private SchemaHistory() {
    }

    static void create(Connection c) throws SQLException {
        createTable(c, TABLE + " (schema_name text NOT NULL, version integer NOT NULL, description text NOT NULL, "
                + "checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), "
                + "applied_by text NOT NULL, execution_ms integer NOT NULL, PRIMARY KEY (schema_name, version))");
    }

    /** The advisory lock that makes creators of the storage bundle's tables take turns ("PcCreate"). */
    private static final long CREATE_LOCK = 0x5063437265617465L;

    /**
     * One of the storage bundle's own tables (schema {@code storage}), created when missing:
     * {@code definition} is "name (columns)". {@code IF NOT EXISTS} does not hold against a
     * concurrent creator (the second fails on the catalogue's unique index: a first boot once lost
     * its accounts so, a migration racing the product-version row), so creators take turns under a
     * transaction-scoped advisory lock, in the caller's transaction or in one of their own.
     */
    static void createTable(Connection c, String definition) throws SQLException {
        boolean own = c.getAutoCommit();
        if (own) {
            c.setAutoCommit(false);
        }
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_xact_lock(" + CREATE_LOCK + ")");
            st.execute("CREATE SCHEMA IF NOT EXISTS storage");
            st.execute("CREATE TABLE IF NOT EXISTS " + definition);
            if (own) {
                c.commit();
            }
        } catch (SQLException e) {
            if (own) {
                c.rollback();
            }
            throw e;
        } finally {
            if (own) {
                c.setAutoCommit(true);
            }
        }
    }

    static Map<Integer, String> checksums(Connection c, String schema) throws SQLException {
        Map<Integer, String> result = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT version, checksum FROM " + TABLE + " WHERE schema_name = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.put(rs.getInt(1), rs.getString(2));
                }
            }
        }
        return result;
    }

    static void record(Connection c, String schema, Migration m, String node, Duration took) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE
                + " (schema_name, version, description, checksum, applied_by, execution_ms) VALUES (?,?,?,?,?,?)")) {
            ps.setString(1, schema);
            ps.setInt(2, m.version());
            ps.setString(3, m.description());
            ps.setString(4, m.checksum());
            ps.setString(5, node);
            ps.setInt(6, (int) Math.min(Integer.MAX_VALUE, took.toMillis()));
            ps.executeUpdate();
        }
    }

    /** The newest applied migration of every schema, or an empty list before any migration ran. */
    static List<SchemaVersion> versions(Connection c) throws SQLException {
        List<SchemaVersion> result = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            try (ResultSet exists = st.executeQuery("SELECT to_regclass('" + TABLE + "') IS NOT NULL")) {
                exists.next();
                if (!exists.getBoolean(1)) {
                    return result;
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT DISTINCT ON (schema_name) schema_name, version, description, "
                    + "applied_at FROM " + TABLE + " ORDER BY schema_name, version DESC")) {
                while (rs.next()) {
                    result.add(new SchemaVersion(rs.getString(1), rs.getInt(2), rs.getString(3),
                            rs.getTimestamp(4).toInstant()));
                }
            }
        }
        return result;
    }
}
