package org.portcullis.storage.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

import org.portcullis.storage.MigrationException;

/** {@code storage.product}: the one row saying which product version the database was committed at. */
final class ProductVersionRow {

    static final String TABLE = "storage.product";

    private ProductVersionRow() {
    }

    static void create(Connection c) throws SQLException {
        SchemaHistory.createTable(c, TABLE + " (id integer PRIMARY KEY CHECK (id = 1), version text NOT NULL, changed_at timestamptz NOT NULL DEFAULT now())");
    }

    static Optional<String> read(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            try (ResultSet exists = st.executeQuery("SELECT to_regclass('" + TABLE + "') IS NOT NULL")) {
                exists.next();
                if (!exists.getBoolean(1)) {
                    return Optional.empty();
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT version FROM " + TABLE + " WHERE id = 1")) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /** Inserts {@code version} unless a row exists; returns the row's version. */
    static String adopt(Connection c, String version) throws SQLException {
        create(c);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (id, version) VALUES (1, ?) ON CONFLICT (id) DO NOTHING")) {
            ps.setString(1, version);
            ps.executeUpdate();
        }
        return read(c).orElseThrow();
    }

    /** Changes the version from {@code from} to {@code to}; anything else in the row is refused. */
    static void change(Connection c, String from, String to) throws SQLException, MigrationException {
        create(c);
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " SET version = ?, changed_at = now() WHERE id = 1 AND version = ?")) {
            ps.setString(1, to);
            ps.setString(2, from);
            if (ps.executeUpdate() == 1) {
                return;
            }
        }
        Optional<String> now = read(c);
        throw new MigrationException(now.isEmpty() ? "the database has no product version; the updater records it before an update"
                : "the database is at product version " + now.get() + ", not " + from + ", the update's from-version");
    }
}
