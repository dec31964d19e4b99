/** Backups: the service ({@link org.portcullis.backup.Backups}), the participant SPI, the file format ({@link org.portcullis.backup.BackupHeader}) and its refusals. */
@Export
@Version("1.2.0")
package org.portcullis.backup;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
