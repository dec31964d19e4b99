package org.portcullis.cluster.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.portcullis.cluster.ClusterException;
import org.portcullis.cluster.internal.RolloutStore.Member;
import org.portcullis.cluster.internal.RolloutStore.Rollout;
import org.portcullis.cluster.internal.RolloutStore.Turn;
import org.portcullis.core.AtomicFiles;
import org.portcullis.updater.Updates;
import org.portcullis.updater.spi.ClusterUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster updates: {@link #start} records one (the package and the nodes' turns) in the
 * database; every node's agent ({@link #tick}, once a heartbeat on a thread of its own) looks at
 * the running one, and the node whose turn it is fetches the package, runs its own update and
 * writes how it ended. Nothing lives only in memory: the agent of the bundle an update swapped
 * in, or of a restarted container, finds the turn in the database and the node's own update in
 * its log, and carries on.
 */
final class Rollouts implements ClusterUpdate {

    private static final Logger LOG = LoggerFactory.getLogger(Rollouts.class);
    /** The last line of every update's log, the node's and the cluster's, starts with this. */
    static final String LAST = "006: ";
    private static final Pattern PACKAGE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,200}");
    /** A product version as the update package writes it; a row's versions become file names here. */
    private static final Pattern VERSION = Pattern.compile("[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}");

    private final RolloutStore store;
    private final Membership membership;
    private final String nodeId;
    private final String version;
    private final Supplier<Optional<Updates>> updates;
    private final Path dir;
    private final Duration alive;
    private final Duration nodeTimeout;
    private final Duration waitingSilence;
    private ScheduledExecutorService ticker;
    /** The newest of this node's cluster updates whose log here is complete. */
    private volatile long logComplete;
    /** Whether this node's last cluster update may still want lines in its log (a look at start, then while one runs). */
    private volatile boolean logPending = true;
    /** Whether the last tick failed (a failure that lasts is logged once, not every heartbeat). */
    private volatile boolean failing;

    /**
     * @param dir the updater's folder ({@code data/portcullis/updates}): the node's own update log is there, the cluster's log goes there
     * @param alive a node with a heartbeat within this is alive
     * @param nodeTimeout how long a node's turn may run, from its start, before another node stops the update (heartbeat or not)
     * @param waitingSilence how long a node whose turn came may stay silent before it begins its update
     */
    Rollouts(RolloutStore store, Membership membership, String version, Supplier<Optional<Updates>> updates, Path dir, Duration alive,
            Duration nodeTimeout, Duration waitingSilence) {
        this.waitingSilence = waitingSilence;
        this.store = store;
        this.membership = membership;
        this.nodeId = membership.nodeId();
        this.version = version;
        this.updates = updates;
        this.dir = dir;
        this.alive = alive;
        this.nodeTimeout = nodeTimeout;
    }

    void start(Duration every) {
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portcullis-cluster-update");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(this::tick, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop() {
        if (ticker != null) {
            ticker.shutdownNow();
            try {
                ticker.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public Path start(Path keptPackage, String from, String to) throws ClusterException {
        try {
            List<Member> live = store.members(alive).stream().filter(Member::alive).toList();
            List<String> other = live.stream().filter(m -> !m.version().equals(from) && !m.version().equals(to))
                    .map(m -> m.nodeId() + " (" + m.address() + ") runs " + m.version()).toList();
            if (!other.isEmpty()) {
                throw new ClusterException("a cluster update moves every node from " + from + " to " + to + ", and "
                        + String.join(", ", other) + ": nothing was changed");
            }
            if (live.stream().noneMatch(m -> m.version().equals(from))) {
                throw new ClusterException("no node alive runs " + from + " (every node runs " + to + " already, or none beats): nothing to update");
            }
            String primary = store.leaseHolder().orElse("");
            List<Member> order = new ArrayList<>(live);
            order.sort(Comparator.comparing((Member m) -> m.nodeId().equals(primary)).thenComparing(Member::nodeId));
            List<Turn> turns = new ArrayList<>();
            for (Member m : order) {
                // a node on the to-version takes its turn too: only it can tell whether its own update ended cleanly
                turns.add(new Turn(turns.size() + 1, m.nodeId(), m.address(), m.nodeId().equals(primary), "waiting", ""));
            }
            long id = store.create(from, to, keptPackage, sha256(keptPackage), nodeId, turns);
            Path log = clusterLog(from, to);
            Files.deleteIfExists(log);
            logComplete = 0;
            logPending = true;
            LOG.info("Cluster update {} -> {} started from node {}: {}", from, to, nodeId,
                    turns.stream().map(t -> t.position() + ". " + t.nodeId()).collect(Collectors.joining(", ")));
            Optional<Rollout> started = store.byId(id);
            if (started.isPresent()) {
                writeLog(started.get());
            }
            return log;
        } catch (SQLException e) {
            throw new ClusterException("the cluster's database does not answer: " + ClusterStore.serverMessage(e), e);
        } catch (IOException e) {
            throw new ClusterException("cannot read " + keptPackage + " or write the cluster update's log: " + e.getMessage(), e);
        }
    }

    @Override
    public String abort(String by) throws ClusterException {
        try {
            Rollout r = store.running().orElseThrow(() -> new ClusterException("no cluster update is running"));
            List<Turn> turns = store.turns(r.id());
            Optional<Turn> at = turns.stream().filter(Turn::pending).findFirst();
            String why = "stopped by " + by + " (update:cluster-abort)";
            if (at.isPresent()) {
                store.fail(r.id(), at.get().nodeId(), why);
            } else {
                store.finish(r.id(), "every node runs " + r.to());
            }
            LOG.warn("Cluster update {} -> {} {}", r.from(), r.to(), why);
            return "Cluster update " + r.from() + " -> " + r.to() + " stopped" + at.map(t -> " at node " + t.position() + " of " + turns.size() + " "
                    + t.nodeId() + (t.state().equals("applying") ? ", whose own update goes on to its end (update:status there)" : "")).orElse("");
        } catch (SQLException e) {
            throw new ClusterException("the cluster's database does not answer: " + ClusterStore.serverMessage(e), e);
        }
    }

    /** One look at the running cluster update: this node takes its turn, or sees that the update has ended or a node fell silent. */
    void tick() {
        try {
            Optional<Rollout> running = store.running();
            if (running.isPresent()) {
                logPending = true;
                if (VERSION.matcher(running.get().from()).matches() && VERSION.matcher(running.get().to()).matches()) {
                    advance(running.get());
                }
            }
            if (logPending) {
                Optional<Rollout> mine = store.lastStartedBy(nodeId);
                if (mine.isPresent() && mine.get().id() != logComplete) {
                    writeLog(mine.get());
                }
                logPending = running.isPresent() || mine.isPresent() && mine.get().id() != logComplete;
            }
            failing = false;
        } catch (SQLException e) {
            LOG.debug("Cluster update: the database does not answer now: {}", ClusterStore.serverMessage(e));
        } catch (IOException | RuntimeException e) {
            if (!failing) {
                LOG.warn("Cluster update: node {} could not take its part now (it tries again at every heartbeat): {}", nodeId, e.toString());
            }
            failing = true;
        }
    }

    private void advance(Rollout r) throws SQLException, IOException {
        List<Turn> turns = store.turns(r.id());
        Optional<Turn> next = turns.stream().filter(Turn::pending).findFirst();
        if (next.isEmpty()) {
            store.finish(r.id(), "every node runs " + r.to());
            LOG.info("Cluster update {} -> {}: every node runs {}", r.from(), r.to(), r.to());
            return;
        }
        Turn t = next.get();
        if (t.nodeId().equals(nodeId)) {
            takeTurn(r, t);
            return;
        }
        Optional<String> late = overdue(r, t);
        if (late.isPresent()) {
            stopAt(r, t.nodeId(), late.get());
        }
    }

    /** Why the turn of {@code t} has gone on too long, if it has: silent before it began, or its own update not ended in time. */
    private Optional<String> overdue(Rollout r, Turn t) throws SQLException {
        RolloutStore.Timing timing = store.timing(r.id(), t.nodeId());
        if (t.state().equals("waiting") && timing.silent() > waitingSilence.toSeconds()) {
            return Optional.of("no heartbeat from this node for " + timing.silent() + " s when its turn came (it never began its update)");
        }
        if (t.state().equals("applying") && timing.inTurn() > nodeTimeout.toSeconds()) {
            return Optional.of("its own update has not ended " + timing.inTurn() + " s after its turn began (update.node.timeout.s is "
                    + nodeTimeout.toSeconds() + "): see update:status on that node");
        }
        return Optional.empty();
    }

    private void stopAt(Rollout r, String node, String why) throws SQLException {
        if (node.equals(nodeId)) {
            membership.updateEnded(); // this node's turn is over: it may lead again
        }
        store.fail(r.id(), node, why);
        LOG.warn("Cluster update {} -> {} stopped at node {}: {}", r.from(), r.to(), node, why);
    }

    private void takeTurn(Rollout r, Turn t) throws SQLException, IOException {
        if (membership.duplicated()) {
            stopAt(r, nodeId, "another running node uses this node's id too: give one of them its own data/portcullis/node-id");
            return;
        }
        if (t.state().equals("waiting")) {
            if (version.equals(r.to())) {
                alreadyUpdated(r);
                return;
            }
            if (!store.claim(r.id(), nodeId)) {
                return;
            }
            LOG.info("Cluster update {} -> {}: the turn of this node ({} of the cluster's nodes)", r.from(), r.to(), t.position());
            membership.updateBegins();
            begin(r);
            return;
        }
        Optional<String> late = overdue(r, t);
        if (late.isPresent()) {
            stopAt(r, nodeId, late.get());
            return;
        }
        Path log = nodeLog(r);
        if (!marked(r) || !Files.isRegularFile(log)) {
            begin(r); // this node's update never began (the container stopped between taking the turn and the apply)
            return;
        }
        String last = lastLine(log);
        if (last.equals(LAST + "OK")) {
            if (version.equals(r.to())) {
                store.nodeDone(r.id(), nodeId, "done, runs " + r.to());
                cleanUp(r);
                LOG.info("Cluster update {} -> {}: this node runs {}", r.from(), r.to(), r.to());
            }
        } else if (last.startsWith(LAST)) {
            stopAt(r, nodeId, last.substring(LAST.length()) + " (update:status on that node)");
            cleanUp(r);
        } else if (last.startsWith(" * ")) {
            // only the update's step lines: OS step output and file paths stay in the node's own log (right 'update')
            store.progress(r.id(), nodeId, last.strip());
        }
    }

    /** The turn of a node that runs the to-version already: done, unless its own update has not ended (stopped, or running). */
    private void alreadyUpdated(Rollout r) throws SQLException {
        Optional<Updates> u = updates.get();
        if (u.isEmpty() || u.get().inFlight()) {
            if (store.claim(r.id(), nodeId)) {
                stopAt(r, nodeId, "it runs " + r.to() + " but " + (u.isEmpty() ? "its updater is not running" : "its own update has not ended")
                        + ": see update:status on that node");
            }
            return;
        }
        store.skip(r.id(), nodeId, "already runs " + r.to());
    }

    /** Whether this node's marker says it began its own update for {@code r}. */
    private boolean marked(Rollout r) throws IOException {
        Path marker = dir.resolve("cluster-turn");
        return Files.isRegularFile(marker) && Files.readString(marker).strip().equals(token(r));
    }

    /** What the marker holds for {@code r}: its id and package, so a marker of another database's update with the same id never matches. */
    private static String token(Rollout r) {
        return r.id() + ":" + r.sha256();
    }

    private void cleanUp(Rollout r) throws IOException {
        Files.deleteIfExists(dir.resolve("cluster").resolve(r.packageName()));
    }

    /** Fetches the package, checks it is the bytes the cluster update recorded, and starts this node's own update. */
    private void begin(Rollout r) throws SQLException, IOException {
        try {
            Updates u = updates.get().orElseThrow(() -> new ClusterException("the updater is not running on this node"));
            if (!PACKAGE_NAME.matcher(r.packageName()).matches()) {
                throw new ClusterException("the cluster update names its package " + r.packageName() + ", which is not a plain file name");
            }
            Path folder = Files.createDirectories(dir.resolve("cluster"));
            Path pkg = folder.resolve(r.packageName());
            Path part = folder.resolve(r.packageName() + ".part");
            store.fetch(r.id(), part, r.size());
            if (Files.size(part) != r.size() || !sha256(part).equals(r.sha256())) {
                Files.deleteIfExists(part);
                throw new ClusterException("the package fetched from the database is not the one the cluster update recorded (size or SHA-256)");
            }
            Files.move(part, pkg, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            if (!store.applying(r.id(), nodeId)) {
                membership.updateEnded(); // the update was stopped (update:cluster-abort) while the package came
                return;
            }
            Files.deleteIfExists(nodeLog(r)); // what is read from now on is this turn's
            AtomicFiles.write(dir.resolve("cluster-turn"), out -> out.write((token(r) + "\n").getBytes(StandardCharsets.US_ASCII)));
            Path log = u.apply(pkg, true);
            LOG.info("Cluster update {} -> {}: this node's update began (log {})", r.from(), r.to(), log);
        } catch (ClusterException | IOException | SQLException | RuntimeException e) {
            // a turn that cannot begin ends the update here, with why, rather than be tried at every heartbeat
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            stopAt(r, nodeId, why);
        }
    }

    /** This node's log of {@code r}, written on the node that started it: appends what the database says happened since. */
    private synchronized void writeLog(Rollout r) throws SQLException, IOException {
        if (!r.startedBy().equals(nodeId)) {
            return;
        }
        List<String> lines = render(r, store.turns(r.id()), false);
        Path log = clusterLog(r.from(), r.to());
        int have = Files.isRegularFile(log) ? Files.readAllLines(log, StandardCharsets.UTF_8).size() : 0;
        if (lines.size() > have) {
            Files.createDirectories(log.getParent());
            Files.writeString(log, lines.subList(have, lines.size()).stream().map(l -> l + "\n").collect(Collectors.joining()),
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        }
        if (!r.running()) {
            logComplete = r.id();
        }
    }

    /** The newest cluster update as lines (with the running node's latest word), for cluster:status; empty when there was none. */
    List<String> status() {
        try {
            Optional<Rollout> r = store.last();
            return r.isEmpty() ? List.of() : render(r.get(), store.turns(r.get().id()), true);
        } catch (SQLException e) {
            return List.of("the cluster updates cannot be read: " + ClusterStore.serverMessage(e));
        }
    }

    /**
     * A cluster update as its log: the order, each node's start and end, and the verdict. Nodes
     * take their turns one after another, so the lines only ever grow at the end.
     */
    static List<String> render(Rollout r, List<Turn> turns, boolean progress) {
        List<String> out = new ArrayList<>();
        out.add("Cluster update " + r.from() + " -> " + r.to() + ": " + turns.size() + " nodes, one at a time: " + turns.stream()
                .map(t -> t.position() + ". " + t.nodeId() + " (" + t.address() + (t.primary() ? ", Primary" : "") + ")")
                .collect(Collectors.joining(", ")));
        String failedAt = "";
        for (Turn t : turns) {
            String node = "node " + t.position() + " of " + turns.size() + " " + t.nodeId() + " (" + t.address() + ")";
            boolean already = t.state().equals("done") && t.message().startsWith("already runs");
            if (!t.state().equals("waiting") && !already) {
                out.add(node + ": updating" + (progress && t.state().equals("applying") && !t.message().equals("updating") ? " — " + t.message() : ""));
            }
            switch (t.state()) {
                case "done" -> out.add(node + ": " + t.message());
                case "failed" -> {
                    out.add(node + ": FAILED: " + t.message());
                    failedAt = node + ": " + t.message();
                }
                default -> {
                }
            }
        }
        if (r.state().equals("done")) {
            out.add("Cluster update done: every node runs " + r.to());
            out.add(LAST + "OK");
        } else if (r.state().equals("failed")) {
            out.add(LAST + "FAILED at " + (failedAt.isEmpty() ? r.message() : failedAt));
        }
        return out;
    }

    private Path clusterLog(String from, String to) {
        return dir.resolve("cluster-" + from + "-" + to + ".log");
    }

    /** Where this node's own update writes its log (the updater's {@code <from>-<to>.log}). */
    private Path nodeLog(Rollout r) {
        return dir.resolve(r.from() + "-" + r.to() + ".log");
    }

    private static String lastLine(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (!lines.get(i).isBlank()) {
                return lines.get(i);
            }
        }
        return "";
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
