package org.portcullis.backup.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Config PID {@code org.portcullis.backup}. */
@ObjectClassDefinition(name = "Portcullis backups")
public @interface BackupConfig {

    @AttributeDefinition(description = "Where backups are written and listed; empty: ${karaf.data}/portcullis/backups")
    String directory() default "";

    @AttributeDefinition(description = "The appliance key file used when no passphrase is given (created at first use, 0600; "
            + "copy it to every cluster node); empty: ${karaf.etc}/portcullis-backup.key")
    String key_file() default "";

    @AttributeDefinition(description = "Largest backup file accepted by an upload (PUT /api/v1/backups/{name}), in bytes")
    long upload_max_bytes() default 16L << 30;
}
