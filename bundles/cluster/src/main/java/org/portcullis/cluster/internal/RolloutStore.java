package org.portcullis.cluster.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.portcullis.cluster.ClusterException;

/** The tables of cluster updates ({@code cluster.rollouts}, {@code rollout_nodes}, {@code rollout_chunks}) over JDBC. */
final class RolloutStore {

    /** Bytes of the package per row. */
    static final int CHUNK = 1 << 20;

    private final ClusterStore db;

    RolloutStore(ClusterStore db) {
        this.db = db;
    }

    /** A cluster update. */
    record Rollout(long id, String from, String to, String packageName, String sha256, long size, String startedBy, String state, String message) {
        boolean running() {
            return state.equals("running");
        }
    }

    /** One node's turn in a cluster update. */
    record Turn(int position, String nodeId, String address, boolean primary, String state, String message) {
        boolean pending() {
            return state.equals("waiting") || state.equals("applying");
        }
    }

    /** A node of the cluster as the registry has it; {@code alive}: a heartbeat within the interval asked for. */
    record Member(String nodeId, String address, String version, boolean alive) {
    }

    /** Every registered node, and the holder of an unexpired lease (empty when nobody holds one). */
    List<Member> members(Duration alive) throws SQLException {
        try (Connection c = db.open(); PreparedStatement ps = c.prepareStatement(
                "SELECT node_id, address, version, heartbeat_at > clock_timestamp() - make_interval(secs => ?) FROM cluster.nodes ORDER BY node_id")) {
            ps.setDouble(1, alive.toMillis() / 1000.0);
            List<Member> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Member(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)));
                }
            }
            return out;
        }
    }

    Optional<String> leaseHolder() throws SQLException {
        try (Connection c = db.open(); PreparedStatement ps = c.prepareStatement(
                "SELECT holder FROM cluster.lease WHERE id = 1 AND expires_at > clock_timestamp()"); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
        }
    }

    /**
     * Records a cluster update, its package and its turns in one transaction.
     *
     * @throws ClusterException when another cluster update is running
     */
    long create(String from, String to, Path pkg, String sha256, String startedBy, List<Turn> turns) throws SQLException, ClusterException {
        try {
            return db.transaction(c -> {
                long id;
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO cluster.rollouts (from_version, to_version, package_name, package_sha256, "
                        + "package_size, started_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING id")) {
                    ps.setString(1, from);
                    ps.setString(2, to);
                    ps.setString(3, pkg.getFileName().toString());
                    ps.setString(4, sha256);
                    ps.setLong(5, Files.size(pkg));
                    ps.setString(6, startedBy);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        id = rs.getLong(1);
                    }
                } catch (IOException e) {
                    throw new SQLException("cannot read " + pkg + ": " + e.getMessage(), e);
                }
                storeChunks(c, id, pkg);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO cluster.rollout_nodes (rollout_id, position, node_id, address, primary_node, "
                        + "state, message, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
                        + "CASE WHEN ? THEN clock_timestamp() END, CASE WHEN ? THEN clock_timestamp() END)")) {
                    for (Turn t : turns) {
                        boolean done = !t.pending();
                        ps.setLong(1, id);
                        ps.setInt(2, t.position());
                        ps.setString(3, t.nodeId());
                        ps.setString(4, t.address());
                        ps.setBoolean(5, t.primary());
                        ps.setString(6, t.state());
                        ps.setString(7, t.message());
                        ps.setBoolean(8, done);
                        ps.setBoolean(9, done);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return id;
            });
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                Optional<Rollout> other = running();
                throw new ClusterException("a cluster update is running already" + other.map(r -> ": " + r.from() + " -> " + r.to()).orElse("")
                        + " (cluster:status)");
            }
            throw e;
        }
    }

    private static void storeChunks(Connection c, long id, Path pkg) throws SQLException {
        try (InputStream in = Files.newInputStream(pkg); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO cluster.rollout_chunks (rollout_id, seq, data) VALUES (?, ?, ?)")) {
            byte[] chunk;
            int seq = 0;
            while ((chunk = in.readNBytes(CHUNK)).length > 0) {
                ps.setLong(1, id);
                ps.setInt(2, seq++);
                ps.setBytes(3, chunk);
                ps.executeUpdate();
            }
        } catch (IOException e) {
            throw new SQLException("cannot read " + pkg + ": " + e.getMessage(), e);
        }
    }

    /** Writes the rollout's package to {@code into}, chunk by chunk (never whole on the heap), refusing more than {@code max} bytes. */
    void fetch(long id, Path into, long max) throws SQLException, IOException {
        try (Connection c = db.open()) {
            c.setAutoCommit(false); // a cursor: the driver fetches one row at a time
            try (PreparedStatement ps = c.prepareStatement("SELECT data FROM cluster.rollout_chunks WHERE rollout_id = ? ORDER BY seq");
                    OutputStream out = Files.newOutputStream(into)) {
                ps.setFetchSize(1);
                ps.setLong(1, id);
                long written = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        byte[] chunk = rs.getBytes(1);
                        written += chunk.length;
                        if (written > max) {
                            throw new IOException("the package in the database is larger than the " + max + " bytes recorded");
                        }
                        out.write(chunk);
                    }
                }
            } finally {
                c.rollback();
            }
        }
    }

    Optional<Rollout> running() throws SQLException {
        return one("WHERE state = 'running'", null);
    }

    /** The newest cluster update started on {@code node}. */
    Optional<Rollout> lastStartedBy(String node) throws SQLException {
        return one("WHERE started_by = ? ORDER BY id DESC LIMIT 1", node);
    }

    Optional<Rollout> byId(long id) throws SQLException {
        try (Connection c = db.open(); PreparedStatement ps = c.prepareStatement("SELECT id, from_version, to_version, package_name, package_sha256, "
                + "package_size, started_by, state, message FROM cluster.rollouts WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rollout(rs)) : Optional.empty();
            }
        }
    }

    /** The newest cluster update. */
    Optional<Rollout> last() throws SQLException {
        return one("ORDER BY id DESC LIMIT 1", null);
    }

    private Optional<Rollout> one(String where, String arg) throws SQLException {
        try (Connection c = db.open(); PreparedStatement ps = c.prepareStatement("SELECT id, from_version, to_version, package_name, package_sha256, "
                + "package_size, started_by, state, message FROM cluster.rollouts " + where)) {
            if (arg != null) {
                ps.setString(1, arg);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rollout(rs)) : Optional.empty();
            }
        }
    }

    private static Rollout rollout(ResultSet rs) throws SQLException {
        return new Rollout(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getLong(6), rs.getString(7),
                rs.getString(8), rs.getString(9));
    }

    List<Turn> turns(long id) throws SQLException {
        try (Connection c = db.open(); PreparedStatement ps = c.prepareStatement("SELECT position, node_id, address, primary_node, state, message "
                + "FROM cluster.rollout_nodes WHERE rollout_id = ? ORDER BY position")) {
            ps.setLong(1, id);
            List<Turn> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Turn(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getString(5), rs.getString(6)));
                }
            }
            return out;
        }
    }

    /** How long a node's turn has gone: seconds since its last sign (a heartbeat, the turn's or the update's start), and since its turn began (0 before). */
    record Timing(long silent, long inTurn) {
    }

    Timing timing(long id, String node) throws SQLException {
        try (Connection c = db.open(); PreparedStatement ps = c.prepareStatement(
                "SELECT extract(epoch FROM clock_timestamp() - GREATEST(n.heartbeat_at, r.started_at, r0.started_at)), "
                        + "COALESCE(extract(epoch FROM clock_timestamp() - r.started_at), 0) "
                        + "FROM cluster.rollout_nodes r JOIN cluster.rollouts r0 ON r0.id = r.rollout_id "
                        + "LEFT JOIN cluster.nodes n ON n.node_id = r.node_id WHERE r.rollout_id = ? AND r.node_id = ?")) {
            ps.setLong(1, id);
            ps.setString(2, node);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Timing((long) rs.getDouble(1), (long) rs.getDouble(2)) : new Timing(0, 0);
            }
        }
    }

    /** Whether {@code node}'s turn is still running in a running update (checked just before its own update begins). */
    boolean applying(long id, String node) throws SQLException {
        return db.exists("SELECT 1 FROM cluster.rollout_nodes n JOIN cluster.rollouts r ON r.id = n.rollout_id "
                + "WHERE r.id = ? AND n.node_id = ? AND n.state = 'applying' AND r.state = 'running'", id, node);
    }

    /** {@code node}'s turn needs nothing (it runs the to-version already): done without an update. */
    boolean skip(long id, String node, String message) throws SQLException {
        return update("UPDATE cluster.rollout_nodes SET state = 'done', message = ?, started_at = clock_timestamp(), finished_at = clock_timestamp() "
                + "WHERE rollout_id = ? AND node_id = ? AND state = 'waiting'", message, id, node) == 1;
    }

    /** Takes {@code node}'s turn; false when it was taken already. */
    boolean claim(long id, String node) throws SQLException {
        // only while the update runs: a node that read it as running just before another node's turn failed (and
        // dropped the package) would otherwise take the next turn of a failed update — seen once in CI
        return update("UPDATE cluster.rollout_nodes SET state = 'applying', started_at = clock_timestamp(), message = 'updating' "
                + "WHERE rollout_id = ? AND node_id = ? AND state = 'waiting' "
                + "AND EXISTS (SELECT 1 FROM cluster.rollouts WHERE id = ? AND state = 'running')", id, node, id) == 1;
    }

    /** What {@code node}'s own update says now (its log's last line), while it applies. */
    void progress(long id, String node, String message) throws SQLException {
        update("UPDATE cluster.rollout_nodes SET message = ? WHERE rollout_id = ? AND node_id = ? AND state = 'applying' AND message <> ?",
                message, id, node, message);
    }

    void nodeDone(long id, String node, String message) throws SQLException {
        update("UPDATE cluster.rollout_nodes SET state = 'done', message = ?, finished_at = clock_timestamp() "
                + "WHERE rollout_id = ? AND node_id = ? AND state = 'applying'", message, id, node);
    }

    /** {@code node}'s turn failed, and with it the cluster update (the nodes after it keep waiting); its package is dropped. */
    void fail(long id, String node, String why) throws SQLException {
        db.transaction(c -> {
            try (PreparedStatement turn = c.prepareStatement("UPDATE cluster.rollout_nodes SET state = 'failed', message = ?, "
                    + "finished_at = clock_timestamp() WHERE rollout_id = ? AND node_id = ? AND state IN ('waiting', 'applying')")) {
                turn.setString(1, why);
                turn.setLong(2, id);
                turn.setString(3, node);
                if (turn.executeUpdate() == 1) {
                    end(c, id, "failed", why);
                }
            }
            return null;
        });
    }

    /** Every turn is done: the cluster update is, and its package is dropped. */
    void finish(long id, String message) throws SQLException {
        db.transaction(c -> {
            end(c, id, "done", message);
            return null;
        });
    }

    private static void end(Connection c, long id, String state, String message) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE cluster.rollouts SET state = ?, message = ?, finished_at = clock_timestamp() "
                + "WHERE id = ? AND state = 'running'"); PreparedStatement chunks = c.prepareStatement("DELETE FROM cluster.rollout_chunks WHERE rollout_id = ?")) {
            ps.setString(1, state);
            ps.setString(2, message);
            ps.setLong(3, id);
            ps.executeUpdate();
            chunks.setLong(1, id);
            chunks.executeUpdate();
        }
    }

    private int update(String sql, Object... args) throws SQLException {
        try (Connection c = db.open(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }
}
