package org.portcullis.backup.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Config PID {@code org.portcullis.backup.schedule}. */
@ObjectClassDefinition(name = "Portcullis scheduled backups")
public @interface ScheduleConfig {

    @AttributeDefinition(description = "When to make a backup, as a Quartz cron expression: seconds minutes hours day-of-month "
            + "month day-of-week, for example '0 30 2 * * ?' (02:30 every day); empty: no scheduled backups")
    String cron() default "0 30 2 * * ?";

    @AttributeDefinition(description = "How many scheduled backups to keep (the newest); 0 keeps all")
    int keep() default 7;

    @AttributeDefinition(description = "Delete scheduled backups older than this many days; 0 keeps them whatever their age")
    int keep_days() default 0;

    @AttributeDefinition(description = "Encrypt with the passphrase in this file's first line; empty: the appliance key file")
    String passphrase_file() default "";
}
