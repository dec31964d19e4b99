package org.portcullis.updater;

import java.nio.file.Path;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The update packages this appliance holds, and the checks an update must pass before it is applied. */
@ProviderType
public interface Updates {

    /**
     * Runs every precheck against {@code file} (a package anywhere, or one kept here); nothing is
     * changed. The update may be applied only when every check passed.
     */
    List<Check> precheck(Path file);

    /**
     * Verifies {@code file} and keeps a copy among the packages ({@link #packages()}); a package
     * that does not verify is not kept. Returns the kept file.
     */
    Path install(Path file);

    /** The kept packages, oldest first. */
    List<Path> packages();

    /**
     * Starts the update in {@code file} (kept first if it is not) once every precheck passed, and
     * returns the log it writes: its last line starts with {@code 006: } ({@code 006: OK}, or
     * why it rolled back or stopped). Refused with one line, before anything stops, when a
     * precheck fails or another update runs.
     */
    Path apply(Path file);

    /**
     * As {@link #apply(Path)}, for this node's turn in a cluster update: the {@code cluster}
     * precheck then accepts other nodes that run the package's to-version already (they had
     * their turn), and still refuses any other version.
     */
    Path apply(Path file, boolean clusterTurn);

    /**
     * Starts updating every node of the cluster, one at a time (the cluster bundle's {@link
     * org.portcullis.updater.spi.ClusterUpdate}): the package is verified and kept here first.
     * Returns this node's log of the cluster update: one line per node as it goes, and a last
     * line that starts with {@code 006: } ({@code 006: OK} when every node runs the to-version).
     * Refused with one line, before anything changes, without a cluster bundle, or when the
     * cluster refuses to start (another update running, a node on a third version).
     */
    Path applyCluster(Path file);

    /** Whether an update is in flight here, or stopped and waiting for an admin (its journal exists). */
    boolean inFlight();

    /**
     * Stops the running cluster update: no further node takes its turn; the node whose own update
     * runs finishes it (or rolls it back) by itself. Returns what was stopped, as one line.
     * Refused with one line without a cluster bundle or when no cluster update runs.
     */
    String abortCluster(String by);

    /** The update in flight or the last one, as lines for update:status; empty when there was none. */
    List<String> status();

    /** Every update that ended here, oldest first. */
    List<Past> history();

    /**
     * What the update URL offers for the running version (packages whose from-version it is),
     * read from its index; refused with one line when no URL is configured or it cannot be read.
     */
    List<Offer> check();

    /**
     * Downloads an offered package, going on from a partial download of it, verifies it (the
     * signature, then every file) and keeps it as {@link #install} does. A download that stops
     * keeps its part for the next call, and is never offered; one that does not verify is deleted.
     * {@code progress} gets the bytes so far and the total (-1 if unknown) now and then.
     */
    Path download(Offer offer, java.util.function.BiConsumer<Long, Long> progress);

    /** A package the update URL offers: its versions, file name, size (-1 if the index does not say) and where it is. */
    record Offer(String from, String to, String name, long size, java.net.URI location) {
    }

    /** An update that ended: its versions, when it started, how it ended and why, and its log. */
    record Past(String from, String to, String started, String outcome, String why, Path log) {
    }
}
