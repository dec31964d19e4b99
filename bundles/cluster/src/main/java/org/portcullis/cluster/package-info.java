/** The cluster's view for commands and REST: its nodes, the Primary's lease and term, the runs of Primary-only jobs; and an admin's promote. */
@Export
@Version("1.2.0")
package org.portcullis.cluster;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
