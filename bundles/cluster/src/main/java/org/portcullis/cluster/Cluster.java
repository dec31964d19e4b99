package org.portcullis.cluster;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The cluster bundle's service for commands and REST. */
@ProviderType
public interface Cluster {

    /** This node's view, with the database's (which may be null when the database does not answer). */
    ClusterStatus status();

    /** Every term so far, oldest first. */
    List<ClusterStatus.Term> terms() throws ClusterException;

    /**
     * Makes this node the Primary now under a new epoch, whoever holds the lease: the old
     * Primary's writes are refused from this moment (it steps down at its next heartbeat).
     *
     * @return the new epoch
     * @throws ClusterException when this node may not lead (another version) or the database does not answer
     */
    long promote() throws ClusterException;

    /**
     * Takes this node out: it hands the Primary's lease over if it holds it, stops its heartbeat
     * and removes its row. (The caller then points the node's storage elsewhere.)
     */
    void leave() throws ClusterException;

    /**
     * The newest cluster update ({@code update:apply --cluster}) as lines: the nodes in the order
     * of their turns, each one's start and end (the updating node's latest word too), and the
     * verdict; empty when there was none.
     */
    List<String> updateStatus();
}
