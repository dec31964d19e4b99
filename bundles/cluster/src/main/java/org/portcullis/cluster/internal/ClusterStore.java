package org.portcullis.cluster.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import javax.sql.DataSource;

import org.portcullis.cluster.ClusterStatus;
import org.portcullis.core.cluster.FencedException;

/**
 * The cluster's tables (schema {@code cluster}) over JDBC. Every time is the database's
 * ({@code clock_timestamp()}), and every connection gets a network timeout, so a database that
 * stopped answering is noticed within it rather than hanging a heartbeat.
 */
final class ClusterStore {

    /** The SQLSTATE {@code cluster.fence} raises. */
    static final String FENCED = "PF001";


    private final DataSource ds;
    private final int timeoutMillis;
    /** How long a take-over waits for a fenced write in progress (which the database ends after one idle second). */
    private final long lockWaitMillis;

    ClusterStore(DataSource ds, Duration networkTimeout) {
        this.ds = ds;
        this.timeoutMillis = (int) Math.max(1, networkTimeout.toMillis());
        this.lockWaitMillis = Math.max(1, timeoutMillis / 2);
    }

    Connection open() throws SQLException {
        Connection c = ds.getConnection();
        try {
            c.setNetworkTimeout(Runnable::run, timeoutMillis);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Work inside one transaction. */
    interface Work<T, E extends Exception> {
        T run(Connection c) throws SQLException, E;
    }

    /** Runs {@code work} in one transaction on a connection of its own: committed when it returns, rolled back when it throws. */
    <T, E extends Exception> T transaction(Work<T, E> work) throws SQLException, E {
        try (Connection c = open()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Records this node's heartbeat as written by {@code instance} (the first of a run also sets
     * {@code started_at}); returns the instance that wrote the row before (null: a new row).
     */
    String heartbeat(String node, String instance, String address, String version, boolean primary, boolean first) throws SQLException {
        return transaction(c -> {
            limits(c);
            String before = null;
            try (PreparedStatement ps = c.prepareStatement("SELECT instance FROM cluster.nodes WHERE node_id = ? FOR UPDATE")) {
                ps.setString(1, node);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        before = rs.getString(1);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO cluster.nodes (node_id, address, version, role, started_at, heartbeat_at, instance) "
                            + "VALUES (?, ?, ?, ?, clock_timestamp(), clock_timestamp(), ?) ON CONFLICT (node_id) DO UPDATE SET "
                            + "address = EXCLUDED.address, version = EXCLUDED.version, role = EXCLUDED.role, heartbeat_at = clock_timestamp(), "
                            + "instance = EXCLUDED.instance, started_at = CASE WHEN ? THEN clock_timestamp() ELSE cluster.nodes.started_at END")) {
                ps.setString(1, node);
                ps.setString(2, address);
                ps.setString(3, version);
                ps.setString(4, primary ? "primary" : "secondary");
                ps.setString(5, instance);
                ps.setBoolean(6, first);
                ps.executeUpdate();
            }
            return before;
        });
    }

    /** Whether a node that runs {@code version} gave a heartbeat within {@code within}. */
    boolean beating(String version, Duration within) throws SQLException {
        return exists("SELECT 1 FROM cluster.nodes WHERE version = ? AND heartbeat_at > clock_timestamp() - ? * interval '1 millisecond' LIMIT 1",
                version, within.toMillis());
    }

    /** Whether {@code query} (with {@code args}) finds a row. */
    boolean exists(String query, Object... args) throws SQLException {
        try (Connection c = open(); PreparedStatement ps = c.prepareStatement(query)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Takes {@code node} out of the registry (it leaves the cluster); false: it was not in it. */
    boolean remove(String node) throws SQLException {
        try (Connection c = open(); PreparedStatement ps = c.prepareStatement("DELETE FROM cluster.nodes WHERE node_id = ?")) {
            ps.setString(1, node);
            return ps.executeUpdate() == 1;
        }
    }

    /** Extends the lease of {@code node}'s term {@code epoch} by {@code lease}; false: the term has ended. */
    boolean renew(String node, long epoch, Duration lease) throws SQLException {
        return transaction(c -> {
            limits(c);
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE cluster.lease SET expires_at = clock_timestamp() + ? * interval '1 millisecond', renewed_at = clock_timestamp() "
                            + "WHERE id = 1 AND holder = ? AND epoch = ? AND expires_at > clock_timestamp()")) {
                ps.setLong(1, lease.toMillis());
                ps.setString(2, node);
                ps.setLong(3, epoch);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /**
     * The server's own limits for a transaction on the lease row: it waits for the row at most
     * half the network timeout (so the server gives up before this node does, and no waiting
     * statements pile up), and a transaction left open by a node that froze inside it is ended
     * after one idle second, so the row is never held for long.
     */
    private void limits(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('lock_timeout', ?, true), "
                + "set_config('idle_in_transaction_session_timeout', '1000', true)")) {
            ps.setString(1, Long.toString(lockWaitMillis));
            ps.execute();
        }
    }

    /** Whether {@code e} is the server's lock timeout (the row was busy: a fenced write, or another node taking it). */
    static boolean lockTimeout(SQLException e) {
        return "55P03".equals(e.getSQLState());
    }

    /**
     * Takes the lease for {@code node} under a new epoch when it is free (expired or handed over),
     * or whatever its state when {@code force} (an admin's promote). The previous term is closed
     * and the new one recorded in the same transaction.
     *
     * @return the new epoch, or empty when another node's lease still holds
     */
    OptionalLong take(String node, Duration lease, boolean force) throws SQLException {
        return transaction(c -> {
            String holder;
            long epoch;
            OffsetDateTime expires;
            OffsetDateTime now;
            if (!force) {
                // a glance without a lock first: while the lease holds, Secondaries never queue on its row
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT 1 FROM cluster.lease WHERE id = 1 AND holder IS NOT NULL AND expires_at > clock_timestamp()");
                        ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return OptionalLong.empty();
                    }
                }
            }
            limits(c);
            try (PreparedStatement ps = c.prepareStatement("SELECT holder, epoch, expires_at FROM cluster.lease WHERE id = 1 FOR UPDATE");
                    ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("cluster.lease has no row: the cluster schema is damaged");
                }
                holder = rs.getString(1);
                epoch = rs.getLong(2);
                // '-infinity' (never held) reads as OffsetDateTime.MIN
                expires = rs.getObject(3, OffsetDateTime.class);
            }
            // the time once the row is ours (a clock_timestamp() beside FOR UPDATE may be read before the wait for the lock)
            try (PreparedStatement ps = c.prepareStatement("SELECT clock_timestamp()"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                now = rs.getObject(1, OffsetDateTime.class);
            }
            boolean held = holder != null && expires.isAfter(now);
            if (held && (!force || holder.equals(node))) {
                return OptionalLong.empty();
            }
            String how = force && held ? "promoted" : holder == null ? "released" : "expired";
            long next = epoch + 1;
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE cluster.lease SET holder = ?, epoch = ?, expires_at = ? + ? * interval '1 millisecond', renewed_at = ? WHERE id = 1")) {
                ps.setString(1, node);
                ps.setLong(2, next);
                ps.setObject(3, now);
                ps.setLong(4, lease.toMillis());
                ps.setObject(5, now);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE cluster.terms SET ended_at = ? WHERE epoch = ? AND ended_at IS NULL")) {
                // an expired term ended when its lease ran out, an overruled one now (a released one has its end already)
                ps.setObject(1, held || holder == null ? now : expires);
                ps.setLong(2, epoch);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO cluster.terms (epoch, node_id, began_at, how) VALUES (?, ?, ?, ?)")) {
                ps.setLong(1, next);
                ps.setString(2, node);
                ps.setObject(3, now);
                ps.setString(4, how);
                ps.executeUpdate();
            }
            return OptionalLong.of(next);
        });
    }

    /** Hands the lease of {@code node}'s term {@code epoch} back at once; false: it had ended already. */
    boolean release(String node, long epoch) throws SQLException {
        return transaction(c -> {
            limits(c);
            try (PreparedStatement lease = c.prepareStatement(
                    "UPDATE cluster.lease SET holder = NULL, expires_at = clock_timestamp() "
                            + "WHERE id = 1 AND holder = ? AND epoch = ? AND expires_at > clock_timestamp()");
                    PreparedStatement term = c.prepareStatement(
                            "UPDATE cluster.terms SET ended_at = clock_timestamp() WHERE epoch = ? AND ended_at IS NULL")) {
                lease.setString(1, node);
                lease.setLong(2, epoch);
                boolean had = lease.executeUpdate() == 1;
                if (had) {
                    term.setLong(1, epoch);
                    term.executeUpdate();
                }
                return had;
            }
        });
    }

    /** The database's check of a term, inside the caller's transaction. */
    static void fence(Connection transaction, long epoch, String node) throws SQLException, FencedException {
        try (PreparedStatement ps = transaction.prepareStatement("SELECT cluster.fence(?, ?)")) {
            ps.setLong(1, epoch);
            ps.setString(2, node);
            ps.execute();
        } catch (SQLException e) {
            if (FENCED.equals(e.getSQLState())) {
                throw new FencedException(serverMessage(e));
            }
            throw e;
        }
    }

    /** Records the start of a Primary-only job under its term's fence; returns the run's id. */
    long jobStarted(String name, String node, long epoch) throws SQLException, FencedException {
        return transaction(c -> {
            long id;
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO cluster.jobs (name, node_id, epoch, started_at) VALUES (?, ?, ?, clock_timestamp()) RETURNING id")) {
                ps.setString(1, name);
                ps.setString(2, node);
                ps.setLong(3, epoch);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            fence(c, epoch, node);
            return id;
        });
    }

    /** Records how a job run ended, under the same fence (a run whose term ended meanwhile keeps no end). */
    void jobFinished(long id, String outcome, String node, long epoch) throws SQLException, FencedException {
        transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE cluster.jobs SET finished_at = clock_timestamp(), outcome = ? WHERE id = ?")) {
                ps.setString(1, outcome);
                ps.setLong(2, id);
                ps.executeUpdate();
            }
            fence(c, epoch, node);
            return null;
        });
    }

    /** The nodes, the lease and the latest job runs, as the database sees them now. */
    ClusterStatus.Snapshot snapshot(int jobs) throws SQLException {
        try (Connection c = open()) {
            List<ClusterStatus.Node> nodes = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT node_id, address, version, role, started_at, heartbeat_at, "
                            + "(extract(epoch FROM clock_timestamp() - heartbeat_at) * 1000)::bigint FROM cluster.nodes ORDER BY node_id");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    nodes.add(new ClusterStatus.Node(rs.getString(1), rs.getString(2), rs.getString(3), "primary".equals(rs.getString(4)),
                            instant(rs, 5), instant(rs, 6), Duration.ofMillis(rs.getLong(7))));
                }
            }
            ClusterStatus.Lease lease;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT holder, epoch, CASE WHEN expires_at = '-infinity' THEN 0 "
                            + "ELSE (extract(epoch FROM expires_at - clock_timestamp()) * 1000)::bigint END FROM cluster.lease WHERE id = 1");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                lease = new ClusterStatus.Lease(rs.getString(1), rs.getLong(2), Duration.ofMillis(rs.getLong(3)));
            }
            List<ClusterStatus.JobRun> runs = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT name, node_id, epoch, started_at, finished_at, outcome FROM cluster.jobs ORDER BY id DESC LIMIT ?")) {
                ps.setInt(1, jobs);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        runs.add(new ClusterStatus.JobRun(rs.getString(1), rs.getString(2), rs.getLong(3), instant(rs, 4), instant(rs, 5),
                                rs.getString(6)));
                    }
                }
            }
            return new ClusterStatus.Snapshot(nodes, lease, runs);
        }
    }

    /** The terms, oldest first. */
    List<ClusterStatus.Term> terms() throws SQLException {
        try (Connection c = open(); PreparedStatement ps = c.prepareStatement(
                "SELECT epoch, node_id, began_at, ended_at, how FROM cluster.terms ORDER BY epoch"); ResultSet rs = ps.executeQuery()) {
            List<ClusterStatus.Term> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new ClusterStatus.Term(rs.getLong(1), rs.getString(2), instant(rs, 3), instant(rs, 4), rs.getString(5)));
            }
            return out;
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    /** The server's own words of an error, without the driver's "ERROR:" and position lines. */
    static String serverMessage(SQLException e) {
        if (e instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null) {
            return p.getServerErrorMessage().getMessage();
        }
        return String.valueOf(e.getMessage());
    }
}
