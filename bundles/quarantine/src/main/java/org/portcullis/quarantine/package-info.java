/**
 * The quarantine: held mail kept in PostgreSQL so any node can show, release or delete it
 * ({@link org.portcullis.quarantine.Quarantine}).
 */
@Export
@Version("1.2.0")
package org.portcullis.quarantine;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
