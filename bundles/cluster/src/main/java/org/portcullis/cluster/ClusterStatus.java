package org.portcullis.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The cluster as one node sees it.
 *
 * @param nodeId this node's id
 * @param primary whether this node is the Primary now
 * @param epoch the epoch of this node's term (0 when it is a Secondary)
 * @param version this node's product version
 * @param clusterVersion the version the cluster's database was committed at (empty before any was recorded)
 * @param reachable whether this node's last heartbeat reached the database
 * @param lastError what went wrong with the last heartbeat (empty when it worked)
 * @param snapshot the database's view (null when it could not be read)
 */
public record ClusterStatus(String nodeId, boolean primary, long epoch, String version, String clusterVersion, boolean reachable,
        String lastError, Snapshot snapshot) {

    /** Whether {@code version} may lead and apply shared settings: it is the cluster's version (or the cluster has none yet). */
    public boolean current(String otherVersion) {
        return current(clusterVersion, otherVersion);
    }

    /** The one-version rule: a node on {@code nodeVersion} belongs to a cluster on {@code clusterVersion} (empty: none recorded yet). */
    public static boolean current(String clusterVersion, String nodeVersion) {
        return clusterVersion.isEmpty() || clusterVersion.equals(nodeVersion);
    }

    /** What the database holds now. */
    public record Snapshot(List<Node> nodes, Lease lease, List<JobRun> jobs) {
    }

    /** One registered node; {@code lag}: how long ago its last heartbeat was. */
    public record Node(String nodeId, String address, String version, boolean primary, Instant started, Instant heartbeat, Duration lag) {
    }

    /** The Primary's lease: holder (null: none), epoch, and time left ({@link Duration#ZERO} or negative: expired). */
    public record Lease(String holder, long epoch, Duration left) {
    }

    /** One run of a Primary-only job; {@code finished} null: running, or cut off when its term ended. */
    public record JobRun(String name, String nodeId, long epoch, Instant started, Instant finished, String outcome) {
    }

    /** One Primary's term: {@code ended} null while it lasts; {@code how} it began: released, expired or promoted. */
    public record Term(long epoch, String nodeId, Instant began, Instant ended, String how) {
    }
}
