package org.portcullis.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.portcullis.cluster.ClusterException;
import org.portcullis.cluster.ClusterStatus;
import org.portcullis.core.cluster.Fence;
import org.portcullis.core.cluster.FencedException;
import org.portcullis.storage.internal.TestDatabase;

/**
 * Nodes of one cluster against a real PostgreSQL, each with the tables' own clock: who leads,
 * when a Secondary takes over, and that a node that lost its term can no longer write.
 * The heartbeat is driven by the test ({@link Membership#tick}) on a clock it moves, so a pause
 * is exact; the database's lease runs on the database's clock, so waits here are real.
 */
class MembershipTest {

    private static final Duration HEARTBEAT = Duration.ofMillis(100);
    /** Long enough that a busy machine does not let a lease lapse between two steps of a test (400 ms did, in CI). */
    private static final Duration LEASE = Duration.ofMillis(1000);

    private final DataSource ds = TestDatabase.get();
    private final List<Membership> nodes = new ArrayList<>();

    @BeforeEach
    void freshSchema() throws Exception {
        TestDatabase.recreate(ClusterService.SCHEMA, getClass(), "V1__nodes_and_lease.sql", "V4__node_instance.sql");
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS public.cluster_test_writes (epoch bigint, node text, at timestamptz DEFAULT clock_timestamp())");
            st.execute("TRUNCATE public.cluster_test_writes");
        }
    }

    @AfterEach
    void stopAll() {
        nodes.forEach(Membership::stop);
    }

    /** A node whose monotonic clock is {@code clock} (real time unless the test moves it on). */
    private Membership node(String id, String version, AtomicReference<String> clusterVersion, AtomicLong offset) {
        // lock waits are half the store's timeout: 2 s, longer than the server's 1 s cut of a paused fenced transaction
        Membership m = new Membership(new ClusterStore(ds, Duration.ofSeconds(4)), id, id + ".example", version,
                () -> Optional.ofNullable(clusterVersion.get()), HEARTBEAT, LEASE, () -> System.nanoTime() + offset.get());
        nodes.add(m);
        return m;
    }

    private Membership node(String id) {
        return node(id, "1.0", new AtomicReference<>("1.0"), new AtomicLong());
    }

    /** Ticks every node until {@code done} holds or {@code within} has passed. */
    private void tickUntil(java.util.function.BooleanSupplier done, Duration within, Membership... who) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "not reached within " + within.toMillis() + " ms");
            for (Membership m : who) {
                m.tick();
            }
            Thread.sleep(HEARTBEAT.toMillis());
        }
    }

    /** A Primary-only write: a row in a table of the test's, under the fence. */
    private static void write(DataSource ds, Fence fence, String node) throws SQLException, FencedException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO public.cluster_test_writes (epoch, node) VALUES (?, ?)")) {
                ps.setLong(1, fence.epoch());
                ps.setString(2, node);
                ps.executeUpdate();
                fence.check(c);
                c.commit();
            } catch (SQLException | FencedException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private long writes(String node) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM public.cluster_test_writes WHERE node = ?")) {
            ps.setString(1, node);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void theFirstNodeLeadsAndASecondOneWaits() throws Exception {
        Membership a = node("a");
        Membership b = node("b");
        a.tick();
        b.tick();
        assertTrue(a.isPrimary());
        assertFalse(b.isPrimary());
        assertFalse(b.runAsPrimary("job", f -> { throw new AssertionError("a Secondary ran a Primary-only job"); }));
        assertTrue(a.runAsPrimary("job", f -> write(ds, f, "a")));
        assertEquals(1, writes("a"));
        ClusterStatus s = b.status();
        assertEquals(List.of("a", "b"), s.snapshot().nodes().stream().map(ClusterStatus.Node::nodeId).toList());
        assertEquals("a", s.snapshot().lease().holder());
        assertEquals(1, s.snapshot().lease().epoch());
        assertEquals("done", s.snapshot().jobs().get(0).outcome());
        assertEquals(1, s.snapshot().jobs().get(0).epoch());
    }

    @Test
    void aSecondaryTakesOverWhenThePrimaryStopsRenewingAndTheOldTermIsRefused() throws Exception {
        AtomicLong aClock = new AtomicLong();
        Membership a = node("a", "1.0", new AtomicReference<>("1.0"), aClock);
        Membership b = node("b");
        a.tick();
        assertTrue(a.isPrimary());
        AtomicReference<Fence> kept = new AtomicReference<>();
        a.runAsPrimary("long job", kept::set);

        // a stops (kill -STOP): b takes the lease once it has expired in the database, not before
        long stopped = System.nanoTime();
        b.tick();
        assertFalse(b.isPrimary(), "the lease was still held");
        tickUntil(b::isPrimary, LEASE.multipliedBy(3), b);
        assertTrue(System.nanoTime() - stopped >= LEASE.minus(HEARTBEAT).toNanos(), "taken before the lease could have expired");

        // a wakes: before its own next heartbeat, its writes under the old term are refused by the database
        FencedException refused = assertThrows(FencedException.class, () -> write(ds, new FenceOf(kept.get().epoch(), "a"), "a"));
        assertTrue(refused.getMessage().contains("epoch 1"), refused.getMessage());
        aClock.addAndGet(Duration.ofSeconds(10).toNanos()); // its monotonic clock moved on while it slept
        assertFalse(a.isPrimary(), "a paused node counts itself Primary past its deadline");
        assertThrows(FencedException.class, () -> write(ds, kept.get(), "a"), "the kept fence still works");
        a.tick();
        assertFalse(a.isPrimary());
        assertEquals(0, writes("a"));
        assertTrue(b.runAsPrimary("job", f -> write(ds, f, "b")));
        assertEquals(1, writes("b"));
        List<ClusterStatus.Term> terms = b.terms();
        assertEquals(2, terms.size());
        assertEquals("expired", terms.get(1).how());
        assertFalse(terms.get(0).ended().isAfter(terms.get(1).began()), "the terms overlap: " + terms);
        ClusterStatus.JobRun cut = b.status().snapshot().jobs().stream().filter(j -> j.name().equals("long job")).findFirst().orElseThrow();
        assertEquals("done", cut.outcome(), "the job on a ended within its term");
    }

    @Test
    void aJobWhoseTermEndsWhileItRunsCannotWriteNorRecordItsEnd() throws Exception {
        Membership a = node("a");
        Membership b = node("b");
        a.tick();
        assertThrows(FencedException.class, () -> a.runAsPrimary("slow", f -> {
            b.promote(); // an admin promotes b while a's job runs
            write(ds, f, "a");
        }));
        assertEquals(0, writes("a"));
        ClusterStatus.JobRun run = b.status().snapshot().jobs().get(0);
        assertEquals("slow", run.name());
        assertNull(run.finished(), "the end of a run whose term ended is not recorded");
        a.tick();
        assertFalse(a.isPrimary(), "the overruled Primary steps down at its next heartbeat");
        assertEquals("promoted", b.terms().get(1).how());
    }

    @Test
    void aFencedWriteInProgressHoldsOffATakeOverUntilItCommits() throws Exception {
        Membership a = node("a");
        Membership b = node("b");
        a.tick();
        Fence f = new FenceOf(1, "a");
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO public.cluster_test_writes (epoch, node) VALUES (1, 'a')")) {
                ps.executeUpdate();
            }
            f.check(c);
            Thread promote = new Thread(() -> {
                try {
                    b.promote();
                } catch (ClusterException e) {
                    throw new IllegalStateException(e);
                }
            });
            promote.start();
            promote.join(500);
            assertTrue(promote.isAlive(), "the take-over did not wait for the fenced transaction");
            c.commit();
            promote.join(5000);
            assertFalse(promote.isAlive());
        }
        List<ClusterStatus.Term> terms = b.terms();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT max(at) FROM public.cluster_test_writes");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            assertTrue(rs.getTimestamp(1).toInstant().isBefore(terms.get(1).began()), "a write of epoch 1 committed inside epoch 2");
        }
    }

    @Test
    void aNodePausedInsideAFencedTransactionHoldsATakeOverOffForOneSecondAndLosesItsWrite() throws Exception {
        Membership a = node("a");
        Membership b = node("b");
        a.tick();
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO public.cluster_test_writes (epoch, node) VALUES (1, 'a')")) {
                ps.executeUpdate();
            }
            new FenceOf(1, "a").check(c);
            long start = System.nanoTime();
            b.promote(); // a "sleeps" here, its transaction open
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited >= 900 && waited < 1900, "the take-over waited " + waited + " ms");
            assertThrows(SQLException.class, c::commit, "the server ended the paused transaction");
        }
        assertEquals(0, writes("a"));
        b.tick(); // its own deadline counted from before the wait: the heartbeat renews the term it took
        assertTrue(b.isPrimary());
        assertEquals(2, b.status().epoch());
    }

    @Test
    void aNodeOnAnotherVersionNeverLeadsNorIsPromoted() throws Exception {
        AtomicReference<String> cluster = new AtomicReference<>("2.0");
        Membership old = node("old", "1.0", cluster, new AtomicLong());
        for (int i = 0; i < 5; i++) {
            old.tick();
            Thread.sleep(HEARTBEAT.toMillis());
        }
        assertFalse(old.isPrimary());
        ClusterException e = assertThrows(ClusterException.class, old::promote);
        assertEquals("node old runs 1.0 but the cluster runs 2.0: update this node first; it may not become the Primary", e.getMessage());
        assertNull(old.status().snapshot().lease().holder());
        cluster.set(null); // a database with no version recorded yet: any node may lead
        old.tick();
        assertTrue(old.isPrimary());
    }

    @Test
    void twoRunningNodesUnderOneIdSayItAndNeitherLeadsWhileBothRun() throws Exception {
        Membership a = node("x");
        a.tick();
        assertTrue(a.isPrimary());
        Membership copy = node("x"); // the same data/portcullis/node-id on another machine
        Membership other = node("y");
        tickUntil(() -> !a.isPrimary() && other.isPrimary(), Duration.ofSeconds(5), a, copy, other);
        for (int i = 0; i < 5; i++) {
            a.tick();
            copy.tick();
            other.tick();
        }
        assertFalse(a.isPrimary() || copy.isPrimary(), "a node id run twice led");
        assertTrue(other.isPrimary());
        assertEquals("another running node uses this node's id x too: give one of them its own id first; it may not become the Primary",
                assertThrows(ClusterException.class, copy::promote).getMessage());
        // once the copy is gone (three leases without its writes), the id is the first node's alone again and it may lead
        copy.stop();
        nodes.remove(copy);
        other.stop();
        nodes.remove(other);
        tickUntil(a::isPrimary, LEASE.multipliedBy(6), a);
    }

    @Test
    void aRestartUnderTheSameIdIsNotTakenForASecondNode() throws Exception {
        Membership before = node("x");
        before.tick();
        before.tick();
        before.stop(); // a bundle swap or a restart: the old run ends, the new one begins
        nodes.remove(before);
        Membership after = node("x");
        tickUntil(after::isPrimary, Duration.ofSeconds(3), after);
        for (int i = 0; i < 3; i++) {
            after.tick();
        }
        assertFalse(after.duplicated());
        assertTrue(after.isPrimary());
    }

    @Test
    void aPrimaryCutOffFromTheDatabaseStopsLeadingByItselfAndStepsDownWhenItIsBack() throws Exception {
        AtomicReference<Boolean> cut = new AtomicReference<>(false);
        DataSource cuttable = (DataSource) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection") && cut.get()) {
                        throw new SQLException("Connection refused (the network is cut)", "08001");
                    }
                    try {
                        return method.invoke(ds, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Membership a = new Membership(new ClusterStore(cuttable, Duration.ofSeconds(4)), "a", "a.example", "1.0",
                () -> Optional.of("1.0"), HEARTBEAT, LEASE, System::nanoTime);
        nodes.add(a);
        Membership b = node("b");
        a.tick();
        b.tick();
        assertTrue(a.isPrimary());
        cut.set(true);
        long cutAt = System.nanoTime();
        tickUntil(() -> !a.isPrimary(), LEASE, a, b);
        assertTrue(System.nanoTime() - cutAt < LEASE.toNanos(), "the cut-off Primary counted itself Primary past its lease");
        assertFalse(a.status().reachable());
        ClusterException promote = assertThrows(ClusterException.class, a::promote);
        assertTrue(promote.getMessage().startsWith("the database does not answer: "), promote.getMessage());
        tickUntil(b::isPrimary, LEASE.multipliedBy(3), a, b);
        cut.set(false);
        for (int i = 0; i < 3; i++) {
            a.tick();
            b.tick();
        }
        assertFalse(a.isPrimary(), "the node back from the cut took its role back");
        assertTrue(b.isPrimary());
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM cluster.terms t JOIN cluster.terms n ON n.epoch = t.epoch + 1 "
                        + "WHERE t.ended_at > n.began_at")) {
            rs.next();
            assertEquals(0, rs.getLong(1), "overlapping terms");
        }
    }

    @Test
    void aStoppingPrimaryHandsOverAtOnce() throws Exception {
        Membership a = node("a");
        Membership b = node("b");
        a.tick();
        a.stop();
        b.tick();
        assertTrue(b.isPrimary(), "the lease was not handed over");
        assertEquals("released", b.terms().get(1).how());
    }

    @Test
    void twentyForcedFailOversLeaveTermsThatNeverOverlapAndEveryWriteInsideItsOwn() throws Exception {
        Membership[] all = {node("a"), node("b"), node("c")};
        all[0].tick();
        for (int i = 1; i <= 20; i++) {
            Membership next = all[i % 3];
            Membership previous = all[(i - 1) % 3];
            long previousEpoch = i;
            if (i % 2 == 0) {
                next.promote();
            } else {
                // the Primary simply stops renewing; the next one waits out the lease
                tickUntil(next::isPrimary, LEASE.multipliedBy(4), next);
            }
            assertTrue(next.runAsPrimary("write", f -> write(ds, f, next.nodeId())));
            assertThrows(FencedException.class, () -> write(ds, new FenceOf(previousEpoch, previous.nodeId()), previous.nodeId()),
                    "the term before " + i + " still writes");
        }
        List<ClusterStatus.Term> terms = all[0].terms();
        assertEquals(21, terms.size());
        for (int i = 1; i < terms.size(); i++) {
            assertEquals(terms.get(i - 1).epoch() + 1, terms.get(i).epoch());
            assertFalse(terms.get(i - 1).ended().isAfter(terms.get(i).began()), "terms overlap: " + terms.get(i - 1) + " and " + terms.get(i));
        }
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM public.cluster_test_writes w JOIN cluster.terms t ON t.epoch = w.epoch "
                        + "WHERE w.node <> t.node_id OR w.at < t.began_at OR (t.ended_at IS NOT NULL AND w.at > t.ended_at)");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            assertEquals(0, rs.getLong(1), "a write outside its term");
        }
    }

    /** A term's fence checked only by the database (what a node that does not know it lost the term would send). */
    private final class FenceOf implements Fence {
        private final long epoch;
        private final String node;

        FenceOf(long epoch, String node) {
            this.epoch = epoch;
            this.node = node;
        }

        @Override
        public long epoch() {
            return epoch;
        }

        @Override
        public void check(Connection transaction) throws SQLException, FencedException {
            ClusterStore.fence(transaction, epoch, node);
        }

        @Override
        public void check() throws SQLException, FencedException {
            try (Connection c = ds.getConnection()) {
                check(c);
            }
        }
    }
}
