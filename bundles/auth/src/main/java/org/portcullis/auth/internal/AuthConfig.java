package org.portcullis.auth.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Config PID {@code org.portcullis.auth}. Holds no password: see the bundle README for the first admin's. */
@ObjectClassDefinition(name = "Portcullis accounts", description = "Password rules, lockout and the first admin")
public @interface AuthConfig {

    @AttributeDefinition(description = "Shortest password accepted")
    int password_min_length() default 12;

    @AttributeDefinition(description = "Failed logins in a row (per account, per source address) before the back-off starts")
    int lockout_threshold() default 5;

    @AttributeDefinition(description = "Longest lockout, in seconds; each further failure doubles the lock up to this")
    long lockout_max_seconds() default 900;

    @AttributeDefinition(description = "File holding the first admin's password (read once, at first boot); "
            + "else the environment variable PORTCULLIS_INITIAL_ADMIN_PASSWORD; else one is generated")
    String initial_admin_password_file() default "";
}
