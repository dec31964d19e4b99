package org.portcullis.sandbox.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

/** The table {@code sandbox.analyses}: one row per held message the sandbox looks at. */
final class SandboxStore {

    private final DataSource ds;

    SandboxStore(DataSource ds) {
        this.ds = ds;
    }

    void enqueue(long message, String queueId) throws SQLException {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO sandbox.analyses (message, queue_id) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            ps.setLong(1, message);
            ps.setString(2, queueId);
            ps.executeUpdate();
        }
    }

    List<Long> due(int limit) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT message FROM sandbox.analyses WHERE state = 'pending' AND next_try <= now() ORDER BY next_try LIMIT ?")) {
            ps.setInt(1, limit);
            List<Long> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            return ids;
        }
    }

    /** Ends the analysis of {@code message} in {@code state} with its findings. */
    void finish(long message, String state, List<String> findings, String lastError) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("UPDATE sandbox.analyses SET state = ?, "
                + "findings = ?, last_error = ?, updated = now() WHERE message = ?")) {
            ps.setString(1, state);
            ps.setArray(2, c.createArrayOf("text", findings.toArray()));
            ps.setString(3, lastError);
            ps.setLong(4, message);
            ps.executeUpdate();
        }
    }

    /**
     * Counts a failed analysis and sets the next try {@code baseMillis} later, doubled for each
     * earlier failure, at most {@code capMillis}, and spread by ±20 % at random so messages that
     * failed together (an engine that was down) do not all come back at the same moment; returns
     * the failures so far.
     */
    int failed(long message, String why, long baseMillis, long capMillis) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("UPDATE sandbox.analyses SET attempts = attempts + 1, "
                + "last_error = ?, next_try = now() + least(?, ? * power(2, least(attempts, 30))) * (0.8 + random() * 0.4) * interval '1 millisecond', "
                + "updated = now() "
                + "WHERE message = ? RETURNING attempts")) {
            ps.setString(1, why);
            ps.setLong(2, capMillis);
            ps.setLong(3, baseMillis);
            ps.setLong(4, message);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    /** Tries again later without counting a failure (the analysis was clean but the release could not go out). */
    void later(long message, String why, long afterMillis) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("UPDATE sandbox.analyses SET last_error = ?, "
                + "next_try = now() + ? * interval '1 millisecond', updated = now() WHERE message = ?")) {
            ps.setString(1, why);
            ps.setLong(2, afterMillis);
            ps.setLong(3, message);
            ps.executeUpdate();
        }
    }

    List<SandboxService.Analysis> list(String state, int limit) throws SQLException {
        return select("WHERE (?::text IS NULL OR state = ?) ORDER BY updated DESC LIMIT ?", ps -> {
            ps.setString(1, state);
            ps.setString(2, state);
            ps.setInt(3, limit);
        });
    }

    java.util.Optional<SandboxService.Analysis> find(long message) throws SQLException {
        return select("WHERE message = ?", ps -> ps.setLong(1, message)).stream().findFirst();
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private List<SandboxService.Analysis> select(String where, Binder binder) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT message, queue_id, state, attempts, next_try, "
                + "findings, last_error FROM sandbox.analyses " + where)) {
            binder.bind(ps);
            List<SandboxService.Analysis> all = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    all.add(new SandboxService.Analysis(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                            rs.getTimestamp(5).toInstant(), List.of((String[]) rs.getArray(6).getArray()), rs.getString(7)));
                }
            }
            return all;
        }
    }
}
