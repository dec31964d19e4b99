package org.portcullis.updater.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Factory PID {@code org.portcullis.updater.service}: one service the updater stops before an
 * update and starts after it ({@code etc/org.portcullis.updater.service-<name>.cfg}).
 */
@ObjectClassDefinition(name = "Portcullis service under update control")
@interface ServiceConfig {

    @AttributeDefinition(description = "Short name for the update log (letters, digits, '-', '_', '.')")
    String name();

    @AttributeDefinition(description = "Position in the stop order: lower stops first and starts last")
    int order() default 50;

    @AttributeDefinition(description = "auto (systemd when systemd is PID 1, else command), systemd, command, or component (in-container Declarative Services components)")
    String kind() default "auto";

    @AttributeDefinition(description = "The systemd unit; empty: the name")
    String unit() default "";

    @AttributeDefinition(description = "kind command: the command that stops it (words split on spaces, no shell)")
    String stop_command() default "";

    @AttributeDefinition(description = "kind command: the command that starts it")
    String start_command() default "";

    @AttributeDefinition(description = "kind command: the command that makes it read its configuration again (Postfix: postfix reload); empty: stop and start")
    String reload_command() default "";

    @AttributeDefinition(description = "kind command: the command whose exit status 0 says it runs; empty: running when the last start succeeded")
    String status_command() default "";

    @AttributeDefinition(description = "kind component: the names of the Declarative Services components to disable and enable")
    String[] components() default {};

    @AttributeDefinition(description = "Longest a stop or start may take, in seconds")
    long timeout_s() default 120;
}
