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
}
