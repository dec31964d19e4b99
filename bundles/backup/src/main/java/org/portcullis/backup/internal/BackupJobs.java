package org.portcullis.backup.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.portcullis.backup.BackupInfo;
import org.portcullis.backup.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Long backup operations started over REST, run one after another on their own thread, each
 * with a status a client can poll: its progress while it runs, its result or its one-line error
 * after. The newest 50 are kept, in memory (a job does not outlive the node). Owned by the REST
 * resource, not a service.
 */
public final class BackupJobs implements AutoCloseable {

    /** What a job does, given a progress sink; returns the backup it made, verified or restored. */
    @FunctionalInterface
    public interface Work {
        BackupInfo run(java.util.function.Consumer<Progress> progress) throws Exception;
    }

    /** A job's state as it is now. {@code result} once succeeded, {@code error} once failed. */
    public record Job(String id, String kind, String file, String by, String state, Progress progress, Instant started,
            Instant finished, BackupInfo result, String error) {

        Job running() {
            return new Job(id, kind, file, by, "running", progress, started, null, null, null);
        }

        Job at(Progress now) {
            return new Job(id, kind, file, by, state, now, started, null, null, null);
        }

        Job succeeded(BackupInfo info) {
            return new Job(id, kind, info.file().getFileName().toString(), by, "succeeded", progress, started, Instant.now(), info, null);
        }

        Job failed(String message) {
            return new Job(id, kind, file, by, "failed", progress, started, Instant.now(), null, message);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(BackupJobs.class);
    private static final int KEEP = 50;

    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "portcullis-backup-job");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Job> jobs = new LinkedHashMap<>();

    /** Queues {@code work}; returns the job as queued. */
    public synchronized Job start(String kind, String file, String by, Work work) {
        Job job = new Job(UUID.randomUUID().toString(), kind, file, by, "queued", null, Instant.now(), null, null, null);
        put(job);
        runner.execute(() -> {
            update(job.id(), Job::running);
            try {
                BackupInfo info = work.run(p -> update(job.id(), j -> j.at(p)));
                update(job.id(), j -> j.succeeded(info));
            } catch (Exception e) {
                String message = String.valueOf(e.getMessage()).lines().findFirst().orElse(e.getClass().getSimpleName());
                LOG.warn("Backup job {} ({} {}) failed: {}", job.id(), kind, file, message);
                update(job.id(), j -> j.failed(message));
            }
        });
        return job;
    }

    public synchronized Optional<Job> get(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    /** Newest first. */
    public synchronized List<Job> all() {
        List<Job> out = new ArrayList<>(jobs.values());
        java.util.Collections.reverse(out);
        return out;
    }

    private synchronized void update(String id, java.util.function.UnaryOperator<Job> change) {
        Job j = jobs.get(id);
        if (j != null) {
            jobs.put(id, change.apply(j));
        }
    }

    private void put(Job job) {
        jobs.put(job.id(), job);
        while (jobs.size() > KEEP) {
            String oldest = jobs.keySet().iterator().next();
            if (!"succeeded".equals(jobs.get(oldest).state()) && !"failed".equals(jobs.get(oldest).state())) {
                break;
            }
            jobs.remove(oldest);
        }
    }

    /** Stops the job thread, interrupting a job that runs. */
    @Override
    public void close() {
        runner.shutdownNow();
    }
}
