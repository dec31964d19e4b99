package org.portcullis.updater.spi;

import java.nio.file.Path;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Updates every node of a cluster, one at a time; the cluster bundle registers it. The updater's
 * {@code update:apply --cluster} hands it a package it has verified and kept; each node then takes
 * its turn and runs its own update ({@code Updates.apply(file, true)}), Secondaries first and
 * the Primary last, and the update stops at the first node that fails.
 */
@ConsumerType
public interface ClusterUpdate {

    /**
     * Starts the cluster update of {@code keptPackage} (which moves {@code from} to {@code to}) and
     * returns once it is recorded (the package stored in the cluster's database), with this node's
     * log of it: two lines per node as it goes; its last line starts with {@code 006: }. Called
     * from a shell command or a REST request thread.
     *
     * @throws Exception with a one-line message when it cannot start (a cluster update runs
     *         already, a node runs neither version, the database does not answer); nothing was
     *         changed then
     */
    Path start(Path keptPackage, String from, String to) throws Exception;

    /**
     * Stops the running cluster update, recording {@code by} (who asked): no further node takes its
     * turn. Returns what was stopped, as one line.
     *
     * @throws Exception with a one-line message when no cluster update runs or the database does not answer
     */
    String abort(String by) throws Exception;
}
