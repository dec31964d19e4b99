package org.portcullis.tracking.internal;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.annotation.bundle.Header;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.portcullis.core.cluster.ClusterRole;
import org.portcullis.policy.MessageListener;
import org.portcullis.policy.MessageRecord;
import org.portcullis.storage.MigrationException;
import org.portcullis.storage.MigrationScripts;
import org.portcullis.storage.SchemaMigrator;
import org.portcullis.storage.Storage;
import org.portcullis.tracking.Query;
import org.portcullis.tracking.Tracking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes every mail-log record from the milter ({@link MessageListener}: a non-blocking offer to a
 * bounded queue, so the verdict never waits on the database), writes them in batches from one
 * thread, and deletes records older than {@code retention.days} every hour. When the database is
 * down or the queue is full, records are dropped, never mail: one log line a minute says how many.
 * In a cluster only the Primary runs the retention ({@link ClusterRole}).
 */
@Header(name = MigrationScripts.SCHEMA_HEADER, value = TrackingService.SCHEMA)
@Component(service = {Tracking.class, MessageListener.class}, immediate = true, configurationPid = "org.portcullis.tracking")
@Designate(ocd = TrackingConfig.class)
public class TrackingService implements Tracking, MessageListener {

    /** The schema this bundle owns (and names in its manifest, for updates). */
    static final String SCHEMA = "tracking";

    private static final Logger LOG = LoggerFactory.getLogger(TrackingService.class);
    private static final long PURGE_EVERY_NANOS = TimeUnit.HOURS.toNanos(1);
    private static final long REPORT_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    @Reference(target = Storage.DATA_SOURCE_FILTER)
    private DataSource ds;

    @Reference
    private SchemaMigrator migrator;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClusterRole cluster;

    /** The name of the retention run in the cluster's job records. */
    static final String RETENTION_JOB = "tracking.retention";

    /** Who runs the retention: the cluster's Primary (a single node when started by a test). */
    private Supplier<ClusterRole> role = () -> ClusterRole.SINGLE_NODE;

    private TrackingStore store;
    private BlockingQueue<MessageRecord> queue;
    private int batchSize;
    /** How long a batch may wait for more records before it is written. */
    static final long LINGER_MILLIS = 100;
    private Duration retention;
    private Thread writer;
    private volatile boolean running;
    private final AtomicLong dropped = new AtomicLong();
    private long lastPurge;
    private long lastReport;

    @Activate
    void activate(BundleContext context, TrackingConfig config) throws MigrationException {
        migrator.migrate(SCHEMA, MigrationScripts.fromBundle(context.getBundle(), MigrationScripts.FOLDER));
        role = () -> ClusterRole.orSingleNode(cluster, context);
        start(new TrackingStore(ds), config.queue_capacity(), config.batch_size(), Duration.ofDays(Math.max(1, config.retention_days())));
    }

    /** Starts the writer (also for tests, on a store of their own). */
    void start(TrackingStore store, int capacity, int batchSize, Duration retention) {
        this.store = store;
        this.queue = new ArrayBlockingQueue<>(Math.max(1, capacity));
        this.batchSize = Math.max(1, batchSize);
        this.retention = retention;
        running = true;
        lastPurge = System.nanoTime() - PURGE_EVERY_NANOS;
        lastReport = System.nanoTime();
        writer = new Thread(this::write, "portcullis-tracking");
        writer.setDaemon(true);
        writer.start();
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        running = false;
        writer.interrupt();
        writer.join(10_000);
    }

    @Override
    public void message(MessageRecord record) {
        if (!queue.offer(record)) {
            dropped.incrementAndGet();
        }
    }

    @Override
    public List<MessageRecord> search(Query query) {
        return store.search(query);
    }

    private void write() {
        List<MessageRecord> batch = new ArrayList<>(batchSize);
        while (running || !queue.isEmpty()) {
            try {
                MessageRecord first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    if (queue.size() < batchSize - 1) {
                        // let a batch gather: one transaction per 100 ms at most, not one per message when mail trickles in
                        Thread.sleep(LINGER_MILLIS);
                    }
                    queue.drainTo(batch, batchSize - 1);
                    store.insert(batch);
                }
            } catch (InterruptedException e) {
                if (!running) {
                    queue.drainTo(batch, batchSize - batch.size());
                    flushQuietly(batch);
                    return;
                }
            } catch (SQLException | RuntimeException e) {
                dropped.addAndGet(batch.size());
                LOG.debug("Tracking batch not written", e);
            } finally {
                batch.clear();
            }
            housekeeping();
        }
    }

    private void flushQuietly(List<MessageRecord> batch) {
        try {
            if (!batch.isEmpty()) {
                store.insert(batch);
            }
        } catch (SQLException | RuntimeException e) {
            dropped.addAndGet(batch.size());
        }
    }

    /** Retention once an hour; the count of dropped records once a minute, when there are any. */
    private void housekeeping() {
        long now = System.nanoTime();
        if (now - lastPurge >= PURGE_EVERY_NANOS) {
            lastPurge = now;
            try {
                // the table is the cluster's: its Primary alone cleans it
                role.get().runAsPrimary(RETENTION_JOB, fence -> {
                    int gone = store.purge(Instant.now().minus(retention), fence);
                    if (gone > 0) {
                        LOG.info("Message tracking: {} records older than {} days deleted", gone, retention.toDays());
                    }
                });
            } catch (Exception e) {
                LOG.warn("Message tracking: old records not deleted ({}); tried again in an hour", e.getMessage());
            }
        }
        if (now - lastReport >= REPORT_EVERY_NANOS) {
            lastReport = now;
            long n = dropped.getAndSet(0);
            if (n > 0) {
                LOG.warn("Message tracking: {} records were not stored in the last minute (database unreachable, or more than {} waiting); "
                        + "the mail log has them", n, queue.remainingCapacity() + queue.size());
            }
        }
    }
}
