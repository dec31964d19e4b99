package org.portcullis.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.portcullis.cluster.ClusterException;
import org.portcullis.storage.internal.TestDatabase;
import org.portcullis.updater.Check;
import org.portcullis.updater.Updates;

/**
 * Cluster updates against a real PostgreSQL: three nodes, each with its membership and its
 * agent, driven tick by tick by the test. Each node's updater is a recorder that writes the log a
 * real update writes (the real one runs in ClusterUpdateIT); a node's update "swapping its
 * bundles" is a new agent on the new version, as in the container.
 */
class RolloutsTest {

    private static final Duration HEARTBEAT = Duration.ofMillis(100);
    private static final Duration LEASE = Duration.ofMillis(1000);

    private final DataSource ds = TestDatabase.get();
    private final AtomicReference<String> clusterVersion = new AtomicReference<>("1.0");
    private final List<Membership> memberships = new ArrayList<>();
    private final Map<String, Recorder> updaters = new java.util.HashMap<>();
    @TempDir
    Path tmp;

    @BeforeEach
    void freshSchema() throws Exception {
        TestDatabase.recreate(ClusterService.SCHEMA, getClass(), "V1__nodes_and_lease.sql", "V3__rollouts.sql", "V4__node_instance.sql");
    }

    @AfterEach
    void stopAll() {
        memberships.forEach(Membership::stop);
    }

    private Membership member(String id, String version) {
        Membership m = new Membership(new ClusterStore(ds, Duration.ofSeconds(4)), id, id + ".example", version, () -> Optional.ofNullable(
                clusterVersion.get()), HEARTBEAT, LEASE, System::nanoTime);
        memberships.add(m);
        return m;
    }

    /** The agent of {@code m}'s node as its bundle at {@code version} runs it. */
    private Rollouts agent(Membership m, String version) throws IOException {
        return agent(m, version, Duration.ofHours(1));
    }

    private Rollouts agent(Membership m, String version, Duration nodeTimeout) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(m.nodeId()));
        Recorder r = updaters.computeIfAbsent(m.nodeId(), id -> new Recorder(dir));
        return new Rollouts(new RolloutStore(new ClusterStore(ds, Duration.ofSeconds(10))), m, version, () -> Optional.of(r), dir,
                LEASE.multipliedBy(3), nodeTimeout, Duration.ofSeconds(1));
    }

    /** A package of {@code bytes} random bytes (more than one chunk in the database). */
    private Path pkg(int bytes) throws IOException {
        byte[] b = new byte[bytes];
        new Random(7).nextBytes(b);
        return Files.write(tmp.resolve("portcullis-update-1.0-2.0.pcup"), b);
    }

    /** a, b, c beating; c took the lease first, so it is the Primary. */
    private Membership[] threeNodes(String versionOfB) {
        return threeNodes("1.0", versionOfB);
    }

    private Membership[] threeNodes(String versionOfA, String versionOfB) {
        Membership a = member("a", versionOfA);
        Membership b = member("b", versionOfB);
        Membership c = member("c", "1.0");
        c.tick();
        assertTrue(c.isPrimary());
        a.tick();
        b.tick();
        return new Membership[] {a, b, c};
    }

    @Test
    void everyNodeInTurnSecondariesFirstThePrimaryLastAndTheStarterKeepsTheLog() throws Exception {
        Membership[] n = threeNodes("1.0");
        Rollouts a1 = agent(n[0], "1.0");
        Rollouts b1 = agent(n[1], "1.0");
        Rollouts c1 = agent(n[2], "1.0");
        Path pkg = pkg(RolloutStore.CHUNK * 2 + 12345);
        Path log = b1.start(pkg, "1.0", "2.0");
        assertEquals(List.of("Cluster update 1.0 -> 2.0: 3 nodes, one at a time: 1. a (a.example), 2. b (b.example), 3. c (c.example, Primary)"),
                Files.readAllLines(log));
        assertEquals(3, count("SELECT count(*) FROM cluster.rollout_chunks"));

        // a's turn: it fetches the very bytes and runs its own update; nobody else moves
        for (Rollouts r : List.of(b1, c1, a1)) {
            r.tick();
        }
        assertEquals(List.of(Rollouts.sha256(pkg)), updaters.get("a").applied);
        assertEquals("applying waiting waiting", states());
        n[2].tick();
        assertTrue(n[2].isPrimary(), "the Primary leads while the Secondaries update");

        // a's update is under way: its step lines show, its other lines (OS step output, paths) do not
        updaters.get("a").progress(" * Stopping postfix");
        a1.tick();
        assertEquals("* Stopping postfix", message("a"), "cluster:status shows the updating node's latest step");
        updaters.get("a").progress("   dpkg: unpacking /var/cache/secret-path/x.deb");
        a1.tick();
        assertEquals("* Stopping postfix", message("a"));

        // a's update commits 2.0: the Primary on 1.0 leads on until a node on 2.0 beats, then gives its role up
        clusterVersion.set("2.0");
        n[2].tick();
        assertTrue(n[2].isPrimary(), "no node runs 2.0 yet: the old Primary must not leave the cluster without one");
        n[0].stop(); // a's bundles are swapped: its new cluster component beats on 2.0
        memberships.remove(n[0]);
        Membership a2m = member("a", "2.0");
        a2m.tick();
        n[2].tick();
        assertFalse(n[2].isPrimary());
        a2m.tick();
        assertTrue(a2m.isPrimary(), "the node on the cluster's version takes the lease");
        updaters.get("a").finish("006: OK");
        a1.tick(); // the old bundle's agent does not end the turn: the new version's does
        assertEquals("applying waiting waiting", states());
        Rollouts a2 = agent(a2m, "2.0");
        a2.tick();
        assertEquals("done waiting waiting", states());

        b1.tick();
        assertEquals("done applying waiting", states());
        assertEquals(List.of(Rollouts.sha256(pkg)), updaters.get("b").applied);
        updaters.get("b").finish("006: OK");
        Rollouts b2 = agent(n[1], "2.0");
        b2.tick();
        c1.tick();
        assertEquals("done done applying", states());
        updaters.get("c").finish("006: OK");
        agent(n[2], "2.0").tick();
        b2.tick();
        assertEquals("done", rolloutState());
        assertEquals(0, count("SELECT count(*) FROM cluster.rollout_chunks"), "the package is dropped when the update ends");
        assertEquals(List.of("Cluster update 1.0 -> 2.0: 3 nodes, one at a time: 1. a (a.example), 2. b (b.example), 3. c (c.example, Primary)",
                "node 1 of 3 a (a.example): updating", "node 1 of 3 a (a.example): done, runs 2.0",
                "node 2 of 3 b (b.example): updating", "node 2 of 3 b (b.example): done, runs 2.0",
                "node 3 of 3 c (c.example): updating", "node 3 of 3 c (c.example): done, runs 2.0",
                "Cluster update done: every node runs 2.0", "006: OK"), Files.readAllLines(log));
        assertEquals(Files.readAllLines(log), a2.status(), "every node shows the same story");
        assertFalse(Files.exists(tmp.resolve("a/cluster/portcullis-update-1.0-2.0.pcup")), "the node's copy of the package is removed");
    }

    @Test
    void theFirstFailureStopsItThereAndARunAgainResumes() throws Exception {
        Membership[] n = threeNodes("1.0");
        Rollouts a1 = agent(n[0], "1.0");
        Rollouts c1 = agent(n[2], "1.0");
        updaters.get("a").refuse = "1 of 9 prechecks failed, nothing was changed: package: not signed by a trusted key";
        Path log = c1.start(pkg(1000), "1.0", "2.0");
        a1.tick();
        c1.tick();
        assertEquals("failed waiting waiting", states());
        assertEquals("failed", rolloutState());
        List<String> lines = Files.readAllLines(log);
        assertEquals("node 1 of 3 a (a.example): FAILED: 1 of 9 prechecks failed, nothing was changed: package: not signed by a trusted key",
                lines.get(lines.size() - 2));
        assertEquals("006: FAILED at node 1 of 3 a (a.example): 1 of 9 prechecks failed, nothing was changed: package: not signed by a trusted key",
                lines.get(lines.size() - 1));
        assertTrue(updaters.get("c").applied.isEmpty(), "no node after the failed one was touched");

        // a node whose update rolled back ends its turn with the update's own verdict
        updaters.get("a").refuse = null;
        c1.start(pkg(1000), "1.0", "2.0");
        a1.tick();
        updaters.get("a").finish("006: FAILED, rolled back to 1.0: at database: V2__x.sql failed");
        a1.tick();
        assertEquals("failed", rolloutState());
        assertEquals("FAILED, rolled back to 1.0: at database: V2__x.sql failed (update:status on that node)", message("a"));
    }

    @Test
    void noTurnIsClaimedOnceTheUpdateHasFailed() throws Exception {
        Membership[] n = threeNodes("1.0");
        agent(n[2], "1.0").start(pkg(1000), "1.0", "2.0");
        RolloutStore store = new RolloutStore(new ClusterStore(ds, Duration.ofSeconds(10)));
        long id = Long.parseLong(strings("SELECT max(id) FROM cluster.rollouts"));
        // b read the update as running; then a's turn failed (the package dropped with it); b must not take the next turn
        store.fail(id, "a", "1 of 9 prechecks failed");
        assertFalse(store.claim(id, "b"), "a turn of a failed update was claimed");
        assertEquals("failed waiting waiting", states());
    }

    @Test
    void aNodeOnTheNewVersionIsDoneAtItsTurnUnlessItsOwnUpdateHasNotEnded() throws Exception {
        Membership[] n = threeNodes("2.0", "1.0");
        Rollouts a2 = agent(n[0], "2.0");
        Rollouts c1 = agent(n[2], "1.0");
        updaters.get("a").inFlight = true; // its own update stopped after the commit: maintenance on, no mail
        c1.start(pkg(1000), "1.0", "2.0");
        a2.tick();
        assertEquals("failed waiting waiting", states());
        assertEquals("it runs 2.0 but its own update has not ended: see update:status on that node", message("a"));

        updaters.get("a").inFlight = false;
        Path log = c1.start(pkg(1000), "1.0", "2.0");
        a2.tick();
        c1.tick();
        assertEquals("done waiting waiting", states());
        assertTrue(Files.readAllLines(log).contains("node 1 of 3 a (a.example): already runs 2.0"), Files.readAllLines(log).toString());
        assertTrue(updaters.get("a").applied.isEmpty(), "a node on the new version is not updated again");
    }

    @Test
    void aTurnThatCannotBeginOrNeverEndsStopsItAndAnAdminCanStopIt() throws Exception {
        Membership[] n = threeNodes("1.0");
        Rollouts a1 = agent(n[0], "1.0", Duration.ofSeconds(1));
        Rollouts c1 = agent(n[2], "1.0", Duration.ofSeconds(1));
        // the node cannot write the package (a file where its folder goes): its turn fails at once, not at every heartbeat
        Files.writeString(tmp.resolve("a/cluster"), "in the way");
        c1.start(pkg(1000), "1.0", "2.0");
        a1.tick();
        assertEquals("failed", rolloutState());
        assertTrue(message("a").contains("cluster"), message("a"));
        Files.delete(tmp.resolve("a/cluster"));

        // a node whose own update never ends (it beats on): after update.node.timeout.s another node stops the update
        c1.start(pkg(1000), "1.0", "2.0");
        a1.tick();
        assertEquals("applying waiting waiting", states());
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!rolloutState().equals("failed")) {
            assertTrue(System.nanoTime() < end, "a turn that never ends was never given up");
            n[0].tick();
            n[2].tick();
            c1.tick();
            Thread.sleep(200);
        }
        assertTrue(message("a").startsWith("its own update has not ended "), message("a"));

        // update:cluster-abort
        for (Membership m : n) {
            m.tick(); // b has not beaten since the start: it would be left out
        }
        c1.start(pkg(1000), "1.0", "2.0");
        a1.tick();
        assertEquals("Cluster update 1.0 -> 2.0 stopped at node 1 of 3 a, whose own update goes on to its end (update:status there)",
                c1.abort("admin"));
        assertEquals("failed", rolloutState());
        assertEquals("stopped by admin (update:cluster-abort)", message("a"));
        assertEquals("no cluster update is running", assertThrows(ClusterException.class, () -> c1.abort("admin")).getMessage());
    }

    @Test
    void aSingleNodeGivesItsRoleUpForItsOwnUpdateAndTakesItBackWhenTheTurnFails() throws Exception {
        Membership a = member("a", "1.0");
        a.tick();
        assertTrue(a.isPrimary());
        Rollouts a1 = agent(a, "1.0");
        a1.start(pkg(1000), "1.0", "2.0");
        a1.tick(); // its turn: the lease is handed over, and not taken back while its update runs
        for (int i = 0; i < 3; i++) {
            a.tick();
        }
        assertFalse(a.isPrimary(), "a node in its own update took the Primary's role back");
        assertEquals("node a is in its own update (its turn in a cluster update): it may not become the Primary now",
                assertThrows(ClusterException.class, a::promote).getMessage());
        updaters.get("a").finish("006: FAILED, rolled back to 1.0: at features: a bundle did not start");
        a1.tick(); // the turn ends with the update's failure: the node may lead again
        assertEquals("failed", rolloutState());
        tickUntil(a::isPrimary, a);
    }

    @Test
    void aNodeWhoseIdAnotherRunningNodeUsesDoesNotTakeItsTurn() throws Exception {
        Membership[] n = threeNodes("1.0");
        Membership copy = member("a", "1.0");
        for (int i = 0; i < 2; i++) {
            copy.tick();
            n[0].tick();
        }
        assertTrue(n[0].duplicated());
        Rollouts a1 = agent(n[0], "1.0");
        agent(n[2], "1.0").start(pkg(1000), "1.0", "2.0");
        a1.tick();
        assertEquals("failed waiting waiting", states());
        assertEquals("another running node uses this node's id too: give one of them its own data/portcullis/node-id", message("a"));
        assertTrue(updaters.get("a").applied.isEmpty());
    }

    @Test
    void itDoesNotStartOnAThirdVersionNorTwiceAndSaysWhy() throws Exception {
        Membership[] n = threeNodes("3.0");
        Rollouts c1 = agent(n[2], "1.0");
        ClusterException third = assertThrows(ClusterException.class, () -> c1.start(pkg(1000), "1.0", "2.0"));
        assertEquals("a cluster update moves every node from 1.0 to 2.0, and b (b.example) runs 3.0: nothing was changed", third.getMessage());
        assertEquals(0, count("SELECT count(*) FROM cluster.rollouts"));

        n[1].stop(); // b stops beating; after three leases it is no longer counted
        memberships.remove(n[1]);
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE cluster.nodes SET heartbeat_at = clock_timestamp() - interval '1 minute' WHERE node_id = 'b'");
        }
        assertEquals("no node alive runs 0.9 (every node runs 1.0 already, or none beats): nothing to update",
                assertThrows(ClusterException.class, () -> c1.start(pkg(10), "0.9", "1.0")).getMessage());
        c1.start(pkg(1000), "1.0", "2.0");
        assertEquals("a cluster update is running already: 1.0 -> 2.0 (cluster:status)",
                assertThrows(ClusterException.class, () -> c1.start(pkg(1000), "1.0", "2.0")).getMessage());
        assertEquals("waiting waiting", states(), "a silent node is left out");
    }

    @Test
    void aNodeThatFallsSilentInItsTurnOrGetsOtherBytesStopsIt() throws Exception {
        Membership[] n = threeNodes("1.0");
        Rollouts c1 = agent(n[2], "1.0");
        c1.start(pkg(1000), "1.0", "2.0");
        // a never takes its turn (its container is down): after the silence allowed, another node stops the update, naming it
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!rolloutState().equals("failed")) {
            assertTrue(System.nanoTime() < end, "the silent node's turn was never given up");
            n[2].tick();
            c1.tick();
            Thread.sleep(200);
        }
        assertTrue(message("a").startsWith("no heartbeat from this node for "), message("a"));
        assertTrue(message("a").endsWith(" s when its turn came (it never began its update)"), message("a"));

        // bytes changed in the database are refused before the node's updater sees them; a beats again
        // first (on a loaded machine the wait above can outlast three leases, and a silent a gets no turn)
        n[0].tick();
        c1.start(pkg(1000), "1.0", "2.0");
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE cluster.rollout_chunks SET data = set_byte(data, 9, (get_byte(data, 9) + 1) % 256)");
        }
        agent(n[0], "1.0").tick();
        assertEquals("the package fetched from the database is not the one the cluster update recorded (size or SHA-256)", message("a"));
        assertTrue(updaters.get("a").applied.isEmpty());
    }

    /** Polls {@code m}'s heartbeat until {@code done} holds (within two leases). */
    private static void tickUntil(java.util.function.BooleanSupplier done, Membership m) throws InterruptedException {
        long end = System.nanoTime() + LEASE.multipliedBy(2).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "not reached within two leases");
            m.tick();
            Thread.sleep(HEARTBEAT.toMillis());
        }
    }

    private String states() throws SQLException {
        return strings("SELECT state FROM cluster.rollout_nodes WHERE rollout_id = (SELECT max(id) FROM cluster.rollouts) ORDER BY position");
    }

    private String rolloutState() throws SQLException {
        return strings("SELECT state FROM cluster.rollouts WHERE id = (SELECT max(id) FROM cluster.rollouts)");
    }

    private String message(String node) throws SQLException {
        return strings("SELECT message FROM cluster.rollout_nodes WHERE rollout_id = (SELECT max(id) FROM cluster.rollouts) AND node_id = '" + node + "'");
    }

    private String strings(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return String.join(" ", out);
    }

    private long count(String sql) throws SQLException {
        return Long.parseLong(strings(sql));
    }

    /** A node's updater as the agent sees it: records what it was asked to apply and writes the log an update writes. */
    private static final class Recorder implements Updates {
        final Path dir;
        final List<String> applied = new ArrayList<>();
        String refuse;
        boolean inFlight;

        Recorder(Path dir) {
            this.dir = dir;
        }

        @Override
        public Path apply(Path file, boolean clusterTurn) {
            assertTrue(clusterTurn);
            if (refuse != null) {
                throw new IllegalStateException(refuse);
            }
            try {
                applied.add(Rollouts.sha256(file));
                return Files.writeString(log(), "001: Install System Update 2.0 started ...\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The agent uses a node's updater for its turn (apply with clusterTurn) and to ask inFlight, nothing else. */
        private static UnsupportedOperationException notForTheAgent(String what) {
            return new UnsupportedOperationException("the cluster update's agent called " + what + " on a node's updater");
        }

        void progress(String line) throws IOException {
            Files.writeString(log(), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        }

        void finish(String last) throws IOException {
            progress(last);
        }

        private Path log() {
            return dir.resolve("1.0-2.0.log");
        }

        @Override
        public boolean inFlight() {
            return inFlight;
        }

        @Override
        public String abortCluster(String by) {
            throw notForTheAgent("abortCluster");
        }

        @Override
        public List<Check> precheck(Path file) {
            throw notForTheAgent("precheck");
        }

        @Override
        public Path install(Path file) {
            throw notForTheAgent("install");
        }

        @Override
        public List<Path> packages() {
            throw notForTheAgent("packages");
        }

        @Override
        public Path apply(Path file) {
            throw notForTheAgent("a plain update");
        }

        @Override
        public Path applyCluster(Path file) {
            throw notForTheAgent("applyCluster");
        }

        @Override
        public List<String> status() {
            throw notForTheAgent("status");
        }

        @Override
        public List<Past> history() {
            throw notForTheAgent("history");
        }

        @Override
        public List<Offer> check() {
            throw notForTheAgent("check");
        }

        @Override
        public Path download(Offer offer, java.util.function.BiConsumer<Long, Long> progress) {
            throw notForTheAgent("download");
        }
    }
}
