package org.portcullis.backup.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.karaf.scheduler.Scheduler;
import org.apache.karaf.scheduler.SchedulerError;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.portcullis.backup.BackupInfo;
import org.portcullis.backup.Backups;
import org.portcullis.core.cluster.ClusterRole;
import org.portcullis.core.cluster.Fence;
import org.portcullis.core.cluster.FencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a backup on the configured schedule (Karaf's Quartz scheduler), then deletes the
 * scheduled backups the retention rules no longer keep. Only scheduled backups (named
 * {@code scheduled-…}) are ever deleted; backups an admin made by hand stay. In a cluster only the
 * Primary makes it ({@link ClusterRole}: the database is shared, one backup of it is enough); a
 * Secondary logs that it left the run to the Primary.
 */
@Component(configurationPid = "org.portcullis.backup.schedule", service = {})
@Designate(ocd = ScheduleConfig.class)
public class ScheduledBackups implements Runnable {

    static final String PREFIX = "scheduled-";
    private static final Logger LOG = LoggerFactory.getLogger(ScheduledBackups.class);

    @Reference
    private Scheduler scheduler;

    @Reference
    private Backups backups;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClusterRole cluster;

    /** The name of the run in the cluster's job records. */
    static final String JOB = "backup.scheduled";

    private BundleContext context;
    private ScheduleConfig config;
    private String job;

    @Activate
    void activate(BundleContext context, ScheduleConfig config) {
        this.context = context;
        this.config = config;
        if (config.cron().isBlank()) {
            LOG.info("Scheduled backups are off (org.portcullis.backup.schedule: cron is empty)");
            return;
        }
        job = "portcullis-backup";
        try {
            scheduler.schedule(this, scheduler.EXPR(config.cron().trim()).name(job).canRunConcurrently(false));
            LOG.info("Scheduled backups: '{}', keeping {} and {} days", config.cron(), config.keep() == 0 ? "all" : config.keep(),
                    config.keep_days() == 0 ? "any number of" : config.keep_days());
        } catch (RuntimeException | SchedulerError e) {
            job = null;
            LOG.error("org.portcullis.backup.schedule: cron '{}' is not a Quartz cron expression (seconds minutes hours "
                    + "day-of-month month day-of-week, e.g. '0 30 2 * * ?'): {}; no scheduled backups until it is fixed",
                    config.cron(), String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
    }

    @Deactivate
    void deactivate() {
        if (job != null) {
            scheduler.unschedule(job);
        }
    }

    @Override
    public void run() {
        ClusterRole role = ClusterRole.orSingleNode(cluster, context);
        try {
            if (!role.runAsPrimary(JOB, this::backUp)) {
                LOG.info("Scheduled backup left to the cluster's Primary: this node ({}) is a Secondary", role.nodeId());
            }
        } catch (Exception e) {
            LOG.error("Scheduled backup failed (org.portcullis.backup.schedule): {}; the previous backups are kept", e.getMessage());
        }
    }

    /** The backup and its retention, each step only while this node's term as the Primary holds. */
    private void backUp(Fence fence) throws IOException, SQLException, FencedException {
        fence.check();
        char[] passphrase = config.passphrase_file().isBlank() ? null : Passphrases.fromFile(Path.of(config.passphrase_file()));
        BackupInfo made = backups.create(backups.directory().resolve(PREFIX + backups.newName()), passphrase, p -> { });
        LOG.info("Scheduled backup {} made", made.file().getFileName());
        fence.check();
        for (Path old : expired(backups.list(), config.keep(), Duration.ofDays(config.keep_days()), Clock.systemUTC().instant())) {
            backups.delete(old);
        }
    }

    /** The scheduled backups in {@code newestFirst} beyond the newest {@code keep}, or older than {@code maxAge}. */
    static List<Path> expired(List<BackupInfo> newestFirst, int keep, Duration maxAge, Instant now) {
        List<Path> out = new ArrayList<>();
        int kept = 0;
        for (BackupInfo b : newestFirst) {
            if (!b.file().getFileName().toString().startsWith(PREFIX)) {
                continue;
            }
            boolean tooMany = keep > 0 && kept >= keep;
            boolean tooOld = !maxAge.isZero() && b.header().created().isBefore(now.minus(maxAge));
            if (tooMany || tooOld) {
                out.add(b.file());
            } else {
                kept++;
            }
        }
        return out;
    }
}
