package org.portcullis.cluster.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.portcullis.cluster.Cluster;
import org.portcullis.cluster.ClusterException;
import org.portcullis.cluster.ClusterStatus;
import org.portcullis.core.cluster.ClusterRole;
import org.portcullis.core.cluster.Fence;
import org.portcullis.core.cluster.FencedException;
import org.portcullis.updater.spi.ClusterNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's membership: a heartbeat every {@code heartbeat}, and the Primary's lease, renewed with
 * each heartbeat while this node holds it and taken (under a new epoch) when it has expired and
 * this node runs the cluster's version.
 *
 * <p>This node counts itself Primary only until its own deadline: the start of its last successful
 * renewal plus the lease, less a margin of one heartbeat, measured on its monotonic clock. The
 * database's lease runs at least that long, so a node that was paused ({@code kill -STOP}, a long
 * GC) finds on waking that its deadline has passed and steps down before it does anything else;
 * and whatever it still tries to write is refused by the database's fence.
 */
final class Membership implements ClusterRole, Cluster, ClusterNodes {

    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

    private final ClusterStore store;
    private final String nodeId;
    private final String address;
    private final String version;
    private final Supplier<Optional<String>> clusterVersion;
    private final Duration heartbeat;
    private final Duration lease;
    private final LongSupplier nanos;
    private ScheduledExecutorService ticker;

    private final Object lock = new Object();
    /** The epoch of this node's term; 0: Secondary. Guarded by {@link #lock}. */
    private long epoch;
    /** Until when (monotonic nanos) this node may count itself Primary. Guarded by {@link #lock}. */
    private long deadline;
    private boolean first = true;
    private final InstanceGuard guard;
    /** Set while this node's own update runs (its turn in a cluster update): it neither takes the lease nor can be promoted. */
    private volatile boolean updating;
    private volatile boolean reachable;
    private volatile String lastError = "";
    private volatile String knownClusterVersion = "";
    private volatile Supplier<List<String>> updateStatus = List::of;

    Membership(ClusterStore store, String nodeId, String address, String version, Supplier<Optional<String>> clusterVersion,
            Duration heartbeat, Duration lease, LongSupplier nanos) {
        if (lease.compareTo(heartbeat.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("lease.ms (" + lease.toMillis() + ") must be at least twice heartbeat.ms ("
                    + heartbeat.toMillis() + ")");
        }
        this.store = store;
        this.nodeId = nodeId;
        this.address = address;
        this.version = version;
        this.clusterVersion = clusterVersion;
        this.heartbeat = heartbeat;
        this.lease = lease;
        this.nanos = nanos;
        this.guard = new InstanceGuard(nodeId, lease, nanos);
    }

    /** Starts the heartbeat on a thread of its own. */
    void start() {
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portcullis-cluster");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(this::tick, 0, heartbeat.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the heartbeat and hands the lease over when this node holds it, so a Secondary takes over at once. */
    void stop() {
        if (ticker != null) {
            ticker.shutdownNow();
            try {
                ticker.awaitTermination(lease.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        handOver("as it stops");
    }

    /**
     * Gives the Primary's role up now when this node holds it, so a Secondary takes the lease at
     * its next heartbeat rather than when it expires; {@code why} ends the log line.
     */
    void handOver(String why) {
        long mine;
        synchronized (lock) {
            mine = epoch;
            epoch = 0;
        }
        if (mine != 0) {
            try {
                if (store.release(nodeId, mine)) {
                    LOG.info("Cluster: node {} handed the Primary's lease (epoch {}) over {}", nodeId, mine, why);
                }
            } catch (SQLException e) {
                LOG.warn("Cluster: node {} could not hand the lease (epoch {}) over {} ({}); a Secondary takes it when it expires",
                        nodeId, mine, why, ClusterStore.serverMessage(e));
            }
        }
    }

    /**
     * One heartbeat: renew the lease this node holds (or step down when that fails), or take it
     * when it is free and this node may lead; then record the heartbeat. A Primary whose own
     * deadline passed (it was paused) is not Primary meanwhile ({@link #isPrimary}); it resumes its
     * term only if the database's lease is still its own, which means no other node led meanwhile.
     */
    void tick() {
        long start = nanos.getAsLong();
        long mine;
        boolean lapsed;
        synchronized (lock) {
            mine = epoch;
            lapsed = start - deadline >= 0;
        }
        try {
            if (mine != 0 && duplicated()) {
                handOver("because another running node uses its node id " + nodeId);
                mine = 0;
            }
            Optional<String> moved = clusterMovedOn(mine);
            if (moved.isPresent()) {
                // another node committed a newer version (its turn in a cluster update): that version leads from now
                handOver("because it runs " + version + " and the cluster now runs " + moved.get());
                mine = 0;
            }
            if (mine != 0) {
                boolean renewed;
                try {
                    renewed = store.renew(nodeId, mine, lease);
                } catch (SQLException e) {
                    if (!ClusterStore.lockTimeout(e)) {
                        throw e;
                    }
                    // this node's own fenced write holds the row: the next heartbeat renews (the deadline says until when it may wait)
                    heartbeat();
                    return;
                }
                synchronized (lock) {
                    if (epoch == mine && renewed) {
                        deadline = start + lease.minus(heartbeat).toNanos();
                    } else if (epoch == mine) {
                        stepDown(lapsed ? "its lease ran out before it was renewed (this node was paused, or the database slow)"
                                : "another node holds the lease now");
                    }
                }
            } else if (mayLead()) {
                OptionalLong taken = OptionalLong.empty();
                try {
                    taken = store.take(nodeId, lease, false);
                } catch (SQLException e) {
                    if (!ClusterStore.lockTimeout(e)) {
                        throw e;
                    }
                    // the row was busy (a fenced write, another node taking it): not free this heartbeat
                }
                if (taken.isPresent()) {
                    becomePrimary(taken.getAsLong(), start, "the lease was free");
                }
            }
            heartbeat();
            first = false;
            if (!reachable) {
                LOG.info("Cluster: node {} ({}) reaches the database", nodeId, version);
            }
            reachable = true;
            lastError = "";
        } catch (SQLException | RuntimeException e) {
            String why = e instanceof SQLException s ? ClusterStore.serverMessage(s) : e.toString();
            if (reachable || lastError.isEmpty()) {
                LOG.warn("Cluster: node {} cannot reach the database for its heartbeat: {}", nodeId, why);
            }
            reachable = false;
            lastError = why;
        }
    }

    /** Writes this node's heartbeat, and notices another process that wrote the same row since this one's last. */
    private void heartbeat() throws SQLException {
        guard.wrote(store.heartbeat(nodeId, guard.instance(), address, version, isPrimary(), first), first);
    }

    /**
     * This node's own update begins (its turn in a cluster update): it gives the Primary's role up
     * and does not take it again, so no Primary-only job starts on it while its update drains and
     * swaps its bundles. The update's new cluster component starts without this; {@link
     * #updateEnded()} lifts it when the turn ends without one (refused, failed before the swap).
     */
    void updateBegins() {
        updating = true;
        handOver("before its own update (its turn in the cluster update)");
    }

    void updateEnded() {
        updating = false;
    }

    /** Whether another running process uses this node's id (then this one neither leads nor takes a cluster update's turn). */
    boolean duplicated() {
        return guard.duplicated();
    }

    /** Whether this node runs the cluster's version (or the cluster has none yet): only then may it lead. */
    private boolean mayLead() {
        if (duplicated() || updating) {
            return false;
        }
        Optional<String> cluster;
        try {
            cluster = clusterVersion.get();
        } catch (RuntimeException e) {
            lastError = "the cluster's version is unknown: " + e.getMessage();
            return false;
        }
        String was = knownClusterVersion;
        knownClusterVersion = cluster.orElse("");
        boolean current = ClusterStatus.current(knownClusterVersion, version);
        if (!current && !knownClusterVersion.equals(was)) {
            LOG.warn("Cluster: node {} runs {} but the cluster runs {}: update required; it does not take the Primary's role",
                    nodeId, version, cluster.get());
        }
        return current;
    }

    /**
     * For a Primary (epoch {@code mine} not 0): the cluster's version, when it was read, this node
     * does not run it, and a node that does run it beats (so someone can take the lease: without
     * one, this node leads on rather than leave the cluster without a Primary).
     */
    private Optional<String> clusterMovedOn(long mine) throws SQLException {
        if (mine == 0) {
            return Optional.empty();
        }
        Optional<String> moved;
        try {
            moved = clusterVersion.get().filter(cluster -> !ClusterStatus.current(cluster, version));
        } catch (RuntimeException e) {
            return Optional.empty(); // not known: the renewal below finds out whether the database answers
        }
        return moved.isPresent() && store.beating(moved.get(), lease.multipliedBy(3)) ? moved : Optional.empty();
    }

    /** Whether this node runs the cluster's version (or the cluster has none yet), without a word in the log. */
    boolean runsClusterVersion() {
        try {
            return ClusterStatus.current(clusterVersion.get().orElse(""), version);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void becomePrimary(long newEpoch, long start, String why) {
        synchronized (lock) {
            epoch = newEpoch;
            deadline = start + lease.minus(heartbeat).toNanos();
        }
        LOG.info("Cluster: node {} is the Primary (epoch {}): {}", nodeId, newEpoch, why);
    }

    /** Called with {@link #lock} held. */
    private void stepDown(String why) {
        LOG.warn("Cluster: node {} is a Secondary again (its term of epoch {} has ended): {}", nodeId, epoch, why);
        epoch = 0;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public boolean isPrimary() {
        synchronized (lock) {
            return epoch != 0 && nanos.getAsLong() - deadline < 0;
        }
    }

    /** This node's term now, or null. */
    private Term term() {
        synchronized (lock) {
            return epoch != 0 && nanos.getAsLong() - deadline < 0 ? new Term(epoch) : null;
        }
    }

    @Override
    public boolean runAsPrimary(String name, PrimaryJob job) throws Exception {
        Term term = term();
        if (term == null) {
            return false;
        }
        long run;
        try {
            run = store.jobStarted(name, nodeId, term.epoch);
        } catch (FencedException e) {
            LOG.info("Cluster: job {} not started on node {}: {}", name, nodeId, e.getMessage());
            return false;
        }
        String outcome = "done";
        try {
            job.run(term);
            return true;
        } catch (Exception e) {
            outcome = "failed: " + e.getMessage();
            throw e;
        } finally {
            try {
                store.jobFinished(run, outcome, nodeId, term.epoch);
            } catch (FencedException e) {
                LOG.warn("Cluster: job {} on node {} ended after its term did ({}); its end is not recorded", name, nodeId, e.getMessage());
            } catch (SQLException e) {
                LOG.warn("Cluster: the end of job {} on node {} is not recorded: {}", name, nodeId, ClusterStore.serverMessage(e));
            }
        }
    }

    @Override
    public ClusterStatus status() {
        long mine;
        synchronized (lock) {
            mine = isPrimary() ? epoch : 0;
        }
        ClusterStatus.Snapshot snapshot = null;
        String error = lastError;
        try {
            snapshot = store.snapshot(10);
        } catch (SQLException e) {
            error = ClusterStore.serverMessage(e);
        }
        return new ClusterStatus(nodeId, mine != 0, mine, version, knownClusterVersion, reachable, error, snapshot);
    }

    @Override
    public List<ClusterStatus.Term> terms() throws ClusterException {
        try {
            return store.terms();
        } catch (SQLException e) {
            throw new ClusterException("the cluster's terms cannot be read: " + ClusterStore.serverMessage(e), e);
        }
    }

    @Override
    public long promote() throws ClusterException {
        if (!runsClusterVersionKnown()) {
            throw new ClusterException("the cluster's version cannot be read (" + lastError + "); node " + nodeId + " is not promoted");
        }
        if (duplicated()) {
            throw new ClusterException("another running node uses this node's id " + nodeId + " too: give one of them its own id first; "
                    + "it may not become the Primary");
        }
        if (updating) {
            throw new ClusterException("node " + nodeId + " is in its own update (its turn in a cluster update): it may not become the Primary now");
        }
        if (!mayLead()) {
            throw new ClusterException("node " + nodeId + " runs " + version + " but the cluster runs " + knownClusterVersion
                    + ": update this node first; it may not become the Primary");
        }
        long start = nanos.getAsLong();
        try {
            OptionalLong taken = store.take(nodeId, lease, true);
            if (taken.isEmpty()) {
                Term t = term();
                if (t != null) {
                    return t.epoch;
                }
                throw new ClusterException("node " + nodeId + " holds the lease in the database but not in its own view; try again in "
                        + heartbeat.toMillis() + " ms");
            }
            becomePrimary(taken.getAsLong(), start, "promoted by an admin");
            return taken.getAsLong();
        } catch (SQLException e) {
            if (ClusterStore.lockTimeout(e)) {
                throw new ClusterException("a Primary-only write holds the lease's row; try again in a moment", e);
            }
            throw new ClusterException("the database does not answer: " + ClusterStore.serverMessage(e), e);
        }
    }

    /** Whether the cluster's version can be read now (a promote decides nothing without it). */
    private boolean runsClusterVersionKnown() {
        try {
            clusterVersion.get();
            return true;
        } catch (RuntimeException e) {
            lastError = String.valueOf(e.getMessage());
            return false;
        }
    }

    @Override
    public void leave() throws ClusterException {
        stop();
        try {
            store.remove(nodeId);
            LOG.info("Cluster: node {} left the cluster (its heartbeat stopped and its row removed)", nodeId);
        } catch (SQLException e) {
            throw new ClusterException("node " + nodeId + " stopped its heartbeat but its row was not removed: " + ClusterStore.serverMessage(e)
                    + " (it shows as silent in cluster:status)", e);
        }
    }

    @Override
    public List<String> updateStatus() {
        return updateStatus.get();
    }

    /** Where {@link #updateStatus()} comes from, once cluster updates are served. */
    void updateStatus(Supplier<List<String>> source) {
        updateStatus = source;
    }

    /** The nodes alive now (a heartbeat within three leases), this one always: a node gone longer is not asked to match. */
    @Override
    public Map<String, String> versions() throws ClusterException {
        ClusterStatus s = status();
        if (s.snapshot() == null) {
            throw new ClusterException("the cluster's nodes cannot be read: " + s.lastError());
        }
        Map<String, String> out = new LinkedHashMap<>();
        out.put(nodeId + " (" + address + ")", version);
        for (ClusterStatus.Node n : s.snapshot().nodes()) {
            if (n.lag().compareTo(lease.multipliedBy(3)) < 0) {
                out.put(n.nodeId() + " (" + n.address() + ")", n.version());
            }
        }
        return out;
    }

    /** The fence of one of this node's terms. */
    private final class Term implements Fence {
        private final long epoch;

        Term(long epoch) {
            this.epoch = epoch;
        }

        @Override
        public long epoch() {
            return epoch;
        }

        @Override
        public void check(Connection transaction) throws SQLException, FencedException {
            if (transaction.getAutoCommit()) {
                throw new IllegalStateException("Fence.check(connection) needs a transaction (auto-commit off): in auto-commit it would hold nothing");
            }
            local();
            ClusterStore.fence(transaction, epoch, nodeId);
        }

        @Override
        public void check() throws SQLException, FencedException {
            local();
            try (Connection c = store.open()) {
                ClusterStore.fence(c, epoch, nodeId);
            }
        }

        /** What this node knows already: a term it has left is refused without asking. */
        private void local() throws FencedException {
            Term now = term();
            if (now == null || now.epoch != epoch) {
                throw new FencedException("fenced: node " + nodeId + " is no longer the Primary of epoch " + epoch);
            }
        }
    }
}
