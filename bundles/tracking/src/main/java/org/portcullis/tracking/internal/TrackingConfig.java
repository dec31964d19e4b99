package org.portcullis.tracking.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Config PID {@code org.portcullis.tracking}. */
@ObjectClassDefinition(name = "Portcullis message tracking")
@interface TrackingConfig {

    @AttributeDefinition(description = "Days a record is kept; older ones are deleted every hour")
    int retention_days() default 30;

    @AttributeDefinition(description = "Records waiting to be written at most; past it new records are dropped (and counted in the log)")
    int queue_capacity() default 100_000;

    @AttributeDefinition(description = "Records written per transaction at most")
    int batch_size() default 500;
}
