package org.portcullis.updater.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Config PID {@code org.portcullis.updater}. */
@ObjectClassDefinition(name = "Portcullis updater")
public @interface UpdaterConfig {

    @AttributeDefinition(description = "PEM file of the public keys whose update packages this appliance accepts; "
            + "empty: ${karaf.etc}/portcullis-update-keys.pem")
    String trusted_keys() default "";

    @AttributeDefinition(description = "Where verified update packages are kept; empty: ${karaf.data}/portcullis/updates/packages")
    String packages_directory() default "";

    @AttributeDefinition(description = "Memory the appliance must have for an update, in MiB of MemTotal; -1: what the package asks (4096 unless it says otherwise)")
    long memory_min_mb() default -1;

    @AttributeDefinition(description = "Free disk kept in reserve beyond what an update needs, in MiB")
    long disk_reserve_mb() default 256;

    @AttributeDefinition(description = "How the OS step runs outside the container: auto (systemd-run when systemd is PID 1, else setsid), systemd or detached")
    String os_launcher() default "auto";

    @AttributeDefinition(description = "Run after an OS step that failed or was cut off, before its undo step; words split on spaces, no shell; empty: none")
    String os_recover_command() default "dpkg --configure -a";

    @AttributeDefinition(description = "Longest an OS step program (the step, its recovery, its undo) may run before its process group is killed, in seconds")
    long os_timeout_s() default 1800;

    @AttributeDefinition(description = "The command that lists Postfix's queue as JSON; auto: postqueue -j when /etc/postfix/main.cf exists; empty: no Postfix to wait for")
    String queue_command() default "auto";

    @AttributeDefinition(description = "Longest an update waits, in maintenance mode, for Postfix's incoming and active queues to drain, in seconds")
    long queue_drain_s() default 120;

    @AttributeDefinition(description = "Where update:check and update:download look: https: (the JVM's trust store) or file:, holding an index and the packages; empty: none")
    String update_url() default "";
}
