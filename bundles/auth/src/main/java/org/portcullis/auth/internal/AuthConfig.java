package org.portcullis.auth.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Config PID {@code org.portcullis.auth}. Holds no password: see the bundle README for the first admin's. */
@ObjectClassDefinition(name = "Portcullis accounts", description = "Password rules, lockout and the first admin")
public @interface AuthConfig {

    @AttributeDefinition(description = "Shortest password accepted")
    int password_min_length() default 12;

    @AttributeDefinition(description = "Failed logins in a row for one account from one source address before that account "
            + "is held back at that address (1 s, doubling); other addresses are not affected")
    int lockout_threshold() default 5;

    @AttributeDefinition(description = "Failed logins in a row from one source address, whatever the names, before that "
            + "address is held back")
    int lockout_source_threshold() default 20;

    @AttributeDefinition(description = "Passwords checked at once (each check takes about 19 MiB); a login finding none free "
            + "within 1 s is refused for now (REST: 429)")
    int login_concurrent_checks() default 4;

    @AttributeDefinition(description = "Longest lockout, in seconds; each further failure doubles the lock up to this")
    long lockout_max_seconds() default 900;

    @AttributeDefinition(description = "File holding the first admin's password (read once, at first boot); "
            + "else the environment variable PORTCULLIS_INITIAL_ADMIN_PASSWORD; else one is generated")
    String initial_admin_password_file() default "";
}
