/** Message tracking: the mail log's records kept in PostgreSQL and searched ({@link org.portcullis.tracking.Tracking}). */
@Export
@Version("1.0.0")
package org.portcullis.tracking;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
