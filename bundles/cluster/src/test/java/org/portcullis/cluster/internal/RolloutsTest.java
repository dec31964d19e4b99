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
import java.util.concurrent.atomic.AtomicLong;
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
                clusterVersion.get()), HEARTBEAT, LEASE, new AtomicLong()::get);
        memberships.add(m);
        return m;
    }

    /** The agent of {@code m}'s node as its bundle at {@code version} runs it. */
    private Rollouts agent(Membership m, String version) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(m.nodeId()));
        Recorder r = updaters.computeIfAbsent(m.nodeId(), id -> new Recorder(dir));
        return new Rollouts(new RolloutStore(new ClusterStore(ds, Duration.ofSeconds(10))), m, version, () -> Optional.of(r), dir,
                LEASE.multipliedBy(3), Duration.ofHours(1), Duration.ofSeconds(1));
    }

    /** A package of {@code bytes} random bytes (more than one chunk in the database). */
    private Path pkg(int bytes) throws IOException {
        byte[] b = new byte[bytes];
        new Random(7).nextBytes(b);
        return Files.write(tmp.resolve("portcullis-update-1.0-2.0.pcup"), b);
    }

    /** a, b, c beating; c took the lease first, so it is the Primary. */
    private Membership[] threeNodes(String versionOfB) {
        Membership a = member("a", "1.0");
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
        assertTrue(n[2].isPrimary(), "the Primary leads while the Secondaries update");

        // a's update commits 2.0: the Primary on 1.0 gives its role up at its next heartbeat
        updaters.get("a").progress("   bundles swapped: 14");
        a1.tick();
        assertEquals("bundles swapped: 14", message("a"), "cluster:status shows the updating node's latest word");
        clusterVersion.set("2.0");
        n[2].tick();
        assertFalse(n[2].isPrimary());
        assertEquals(Optional.empty(), new RolloutStore(new ClusterStore(ds, Duration.ofSeconds(4))).leaseHolder());
        updaters.get("a").finish("006: OK");
        a1.tick(); // the old bundle's agent does not end the turn: the new version's does
        assertEquals("applying waiting waiting", states());
        Rollouts a2 = agent(n[0], "2.0");
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
        assertTrue(message("a").startsWith("FAILED, rolled back to 1.0: at database: V2__x.sql failed (log: "), message("a"));
    }

    @Test
    void aNodeOnTheNewVersionAlreadyIsDoneAtOnce() throws Exception {
        Membership[] n = threeNodes("2.0");
        Path log = agent(n[2], "1.0").start(pkg(1000), "1.0", "2.0");
        assertEquals("waiting done waiting", states());
        assertTrue(Files.readAllLines(log).contains("node 2 of 3 b (b.example): already runs 2.0"), Files.readAllLines(log).toString());
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
        assertTrue(message("a").endsWith(" s during its turn (it never began its update): see its update:status"), message("a"));

        // bytes changed in the database are refused before the node's updater sees them
        c1.start(pkg(1000), "1.0", "2.0");
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE cluster.rollout_chunks SET data = data || '\\x00'::bytea");
        }
        agent(n[0], "1.0").tick();
        assertEquals("the package fetched from the database is not the one the cluster update recorded (size or SHA-256)", message("a"));
        assertTrue(updaters.get("a").applied.isEmpty());
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
        public List<Check> precheck(Path file) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Path install(Path file) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Path> packages() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Path apply(Path file) {
            throw new UnsupportedOperationException("a cluster turn must not run a plain update");
        }

        @Override
        public Path applyCluster(Path file) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<String> status() {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Past> history() {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Offer> check() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Path download(Offer offer, java.util.function.BiConsumer<Long, Long> progress) {
            throw new UnsupportedOperationException();
        }
    }
}
