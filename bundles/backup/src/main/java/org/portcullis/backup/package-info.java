/** Backups: the file format ({@link org.portcullis.backup.BackupHeader}) and its refusals. */
@Export
@Version("1.1.0")
package org.portcullis.backup;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
