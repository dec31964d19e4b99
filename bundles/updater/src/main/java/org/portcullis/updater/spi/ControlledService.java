package org.portcullis.updater.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A service the updater stops before an update's OS step and starts again after the database
 * has committed (or after a rollback), registered as an OSGi service. The updater stops the
 * registered services by ascending {@link #order()} and starts them in the reverse order; the
 * update log has one {@code * Stopping <name>} and one {@code * Starting <name>} line each.
 * Portcullis registers one per {@code org.portcullis.updater.service} factory configuration
 * (systemd units, configured commands, in-container components); a bundle may register its own.
 *
 * <p>{@link #stop()}, {@link #start()} and {@link #running()} are called from the updater's one
 * thread, never concurrently; {@link #reload()} from others (see there). Each call must end within a
 * couple of minutes. {@link #stop()} and {@link #start()} must be harmless when the service is
 * already stopped or started: after a crash the updater may call them again.
 */
@ConsumerType
public interface ControlledService {

    /** Service property: the name (also {@link #name()}). */
    String NAME = "portcullis.service.name";

    /** Short name for the log and the journal: letters, digits, '-', '_', '.'. */
    String name();

    /** Position in the stop order (lower stops first, starts last). */
    int order();

    /** Stops the service and returns once it is stopped; throws with a one-line reason if it cannot. */
    void stop() throws Exception;

    /** Starts the service and returns once it runs; throws with a one-line reason if it cannot. */
    void start() throws Exception;

    /**
     * Makes the running service read its configuration and files again (Postfix after a new
     * certificate); throws with a one-line reason if it cannot. Unlike the other methods it is
     * called by other bundles (the ACME bundle), from their own threads, even while an update
     * runs: a stopped service must stay stopped, and an implementation serialises it with
     * {@link #stop()} and {@link #start()}. The default stops and starts it when it runs.
     *
     * @since 1.2
     */
    default void reload() throws Exception {
        synchronized (this) {
            if (running()) {
                stop();
                start();
            }
        }
    }

    /** Whether the service runs now. */
    boolean running() throws Exception;
}
