package org.portcullis.core.cluster;

import java.sql.Connection;

import org.osgi.annotation.versioning.ProviderType;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * This node's part in the cluster: whether it is the Primary, which alone runs the jobs that must
 * run once per cluster (scheduled backups, retention clean-ups, certificate renewals, digests).
 *
 * <p>A job runs through {@link #runAsPrimary}, which hands it the {@link Fence} of the Primary's
 * term. Every write a job makes to the shared database should end, inside its transaction, with
 * {@link Fence#check(Connection)}: the database then refuses it when another node has taken the
 * role meanwhile (this node paused, partitioned or overruled), however late the write comes.
 *
 * <p>Consumers take the service with an optional reference and pass what they hold to {@link
 * #orSingleNode}, which answers for the three cases: the cluster bundle's service, the cluster
 * bundle installed but its service not (yet) there (a role that is never Primary, so nothing runs
 * twice while it starts), or no cluster bundle at all (a single node, always Primary).
 */
@ProviderType
public interface ClusterRole {

    /** The symbolic name of the bundle that provides the cluster's role. */
    String CLUSTER_BUNDLE = "org.portcullis.cluster";

    /** A node alone: always Primary, epoch 0, a fence that never refuses. */
    ClusterRole SINGLE_NODE = new Fixed("single node", true);

    /** The role while the cluster bundle is installed but not serving: never Primary. */
    ClusterRole STARTING = new Fixed("cluster starting", false);

    /** This node's stable id ({@code single node} without a cluster). */
    String nodeId();

    /** Whether this node is the Primary now: a moment's view; writes are fenced through {@link #runAsPrimary}. */
    boolean isPrimary();

    /**
     * Runs {@code job} now if this node is the Primary, recording the run (name, node, epoch, start,
     * end, outcome) in the cluster's database.
     *
     * @param name what the job is, for the record and the log (e.g. {@code backup.scheduled})
     * @return whether the job ran (false: this node is a Secondary, or lost the role before the start)
     * @throws Exception what the job threw, or {@link FencedException} when the role was lost while it ran
     */
    boolean runAsPrimary(String name, PrimaryJob job) throws Exception;

    /** {@code bound} when not null; else {@link #STARTING} if the cluster bundle is installed, {@link #SINGLE_NODE} if not. */
    static ClusterRole orSingleNode(ClusterRole bound, BundleContext context) {
        if (bound != null) {
            return bound;
        }
        for (Bundle b : context.getBundles()) {
            if (CLUSTER_BUNDLE.equals(b.getSymbolicName()) && b.getState() != Bundle.UNINSTALLED) {
                return STARTING;
            }
        }
        return SINGLE_NODE;
    }

    /** A job that must run on one node of the cluster. */
    @FunctionalInterface
    interface PrimaryJob {
        void run(Fence fence) throws Exception;
    }

    /** The two roles that need no cluster. */
    final class Fixed implements ClusterRole {
        private final String id;
        private final boolean primary;

        private Fixed(String id, boolean primary) {
            this.id = id;
            this.primary = primary;
        }

        @Override
        public String nodeId() {
            return id;
        }

        @Override
        public boolean isPrimary() {
            return primary;
        }

        @Override
        public boolean runAsPrimary(String name, PrimaryJob job) throws Exception {
            if (!primary) {
                return false;
            }
            job.run(Fence.NONE);
            return true;
        }

        @Override
        public String toString() {
            return id;
        }
    }
}
