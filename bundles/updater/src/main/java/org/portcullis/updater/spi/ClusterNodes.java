package org.portcullis.updater.spi;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The nodes of the cluster this appliance belongs to, as the cluster bundle registers them: the
 * updater's {@code cluster} precheck refuses an update unless every node runs the package's
 * from-version. Without a registered service the appliance is a single node.
 */
@ConsumerType
public interface ClusterNodes {

    /** Each node's name (or address) and the product version it runs, this node included; called from the precheck, may block briefly. */
    Map<String, String> versions() throws Exception;
}
