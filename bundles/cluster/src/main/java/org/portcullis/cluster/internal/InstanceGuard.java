package org.portcullis.cluster.internal;

import java.time.Duration;
import java.util.UUID;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices a second running process under this node's id (a {@code data/} folder copied from
 * another node): each run of the cluster component writes its own random instance id into the
 * node's row with every heartbeat, so another instance found there between two of this run's own
 * heartbeats is another process. While one was seen within the last three leases, this node must
 * not lead, be promoted, or take a cluster update's turn.
 */
final class InstanceGuard {

    private static final Logger LOG = LoggerFactory.getLogger(InstanceGuard.class);

    private final String nodeId;
    private final String instance = UUID.randomUUID().toString();
    private final Duration memory;
    private final LongSupplier nanos;
    /** When (monotonic nanos) another process was last seen writing this node's row; valid when {@link #seen}. */
    private volatile long foreignAt;
    private volatile boolean seen;

    InstanceGuard(String nodeId, Duration lease, LongSupplier nanos) {
        this.nodeId = nodeId;
        this.memory = lease.multipliedBy(3);
        this.nanos = nanos;
    }

    /** What this run writes into the node's row. */
    String instance() {
        return instance;
    }

    /**
     * After a heartbeat: {@code before} is the instance that had written the row (null: a new row).
     * The first heartbeat of a run never counts (the row holds the previous run's instance).
     */
    void wrote(String before, boolean first) {
        if (!first && before != null && !before.equals(instance)) {
            boolean was = duplicated();
            foreignAt = nanos.getAsLong();
            seen = true;
            if (!was) {
                LOG.error("Cluster: another running node uses this node's id {} too (a data/portcullis/node-id copied from another node?): "
                        + "neither leads while both run; give one of them its own id (stop it, delete that file, start it)", nodeId);
            }
        } else if (seen && !duplicated()) {
            seen = false;
            LOG.info("Cluster: node id {} is this node's alone again", nodeId);
        }
    }

    /** Whether another process wrote this node's row within the last three leases. */
    boolean duplicated() {
        return seen && nanos.getAsLong() - foreignAt < memory.toNanos();
    }
}
