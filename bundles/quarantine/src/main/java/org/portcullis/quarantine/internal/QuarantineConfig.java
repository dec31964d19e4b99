package org.portcullis.quarantine.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Portcullis quarantine", description = "Held mail in PostgreSQL, its release over SMTP and its retention")
public @interface QuarantineConfig {

    @AttributeDefinition(description = "The MTA's re-injection listener (no milters on it): host")
    String reinject_host() default "127.0.0.1";

    @AttributeDefinition(description = "The MTA's re-injection listener: port")
    int reinject_port() default 10026;

    @AttributeDefinition(description = "The name the release's SMTP session gives in HELO")
    String helo_name() default "portcullis.localhost";

    @AttributeDefinition(description = "Seconds to wait for the listener at each step of a release")
    int reinject_timeout_seconds() default 60;

    @AttributeDefinition(description = "Days a held message is kept; then its content is deleted and its held recipients expire")
    int retention_days() default 30;
}
