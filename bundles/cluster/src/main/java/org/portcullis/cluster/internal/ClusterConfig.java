package org.portcullis.cluster.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Config PID {@code org.portcullis.cluster} (per node: it stays in this node's {@code etc/}). */
@ObjectClassDefinition(name = "Portcullis cluster")
@interface ClusterConfig {

    @AttributeDefinition(description = "Milliseconds between heartbeats (the Primary renews its lease with each)")
    long heartbeat_ms() default 1000;

    @AttributeDefinition(description = "Milliseconds the Primary's lease lasts unrenewed; at least twice heartbeat.ms")
    long lease_ms() default 5000;

    @AttributeDefinition(description = "How other nodes and admins reach this node (shown by cluster:status); empty: the host name")
    String address() default "";

    @AttributeDefinition(description = "The cluster-wide settings: PID/key entries, separated by spaces or commas; every node applies "
            + "the cluster's value of these keys and writes its own changes of them to the cluster")
    String shared_settings() default SHARED;

    @AttributeDefinition(description = "Seconds between full re-reads of the cluster's settings (a change wakes every node at once anyway)")
    int settings_poll_s() default 10;

    @AttributeDefinition(description = "Seconds a cluster update waits for a sign (a heartbeat) from the node whose update runs, before it stops "
            + "with that node named; the node's heartbeat pauses while its own update holds the database's migrations")
    int update_node_timeout_s() default 3600;

    /** The shared keys by default: policies an admin expects the same on every node; addresses, ports and paths stay per node. */
    String SHARED = "org.portcullis.milter/spam.tag.score org.portcullis.milter/spam.quarantine.score org.portcullis.milter/fail.open "
            + "org.portcullis.scanner.clamav/timeout.seconds org.portcullis.scanner.clamav/stream.max.bytes "
            + "org.portcullis.backup.schedule/cron org.portcullis.backup.schedule/keep org.portcullis.backup.schedule/keep.days "
            + "org.portcullis.tracking/retention.days org.portcullis.updater/update.url "
            + "org.portcullis.auth/password.min.length org.portcullis.auth/lockout.threshold "
            + "org.portcullis.auth/lockout.source.threshold org.portcullis.auth/lockout.max.seconds";
}
