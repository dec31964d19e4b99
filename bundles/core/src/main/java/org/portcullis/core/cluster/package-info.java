/**
 * Which node of a cluster runs the jobs that must run once per cluster, and the fence that keeps a
 * node that lost that role from acting on it. The cluster bundle provides {@link
 * org.portcullis.core.cluster.ClusterRole}; without it an appliance is a single node ({@link
 * org.portcullis.core.cluster.ClusterRole#SINGLE_NODE}).
 */
@Export
@Version("1.0.0")
package org.portcullis.core.cluster;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
