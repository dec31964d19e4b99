package org.portcullis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

/**
 * A rolling update of a three-node cluster under load ({@code update:apply --cluster}): the next
 * version, built from this source with a new migration, goes to one node at a time, Secondaries
 * first by node id and the Primary last, while each node's gateway Postfix carries mail. A first
 * run stops at its first node, which no longer trusts the release key: every node stays at the
 * running version and the nodes after it wait. Run again with the key back, it updates every node
 * without a restart; the migration and the version are committed once, the lease moves on under a
 * higher epoch, no two nodes' windows overlap, mail kept reaching the sink through the other
 * gateways while each node was updated, and every message the senders took arrived exactly once.
 */
class ClusterUpdateIT {

    private static final String VERSION = System.getProperty("portcullis.version");
    private static final String NEXT = "0.2.0";
    private static final String MIGRATION = "bundles/lists/src/main/resources/db/migration/V2__update_marker.sql";
    private static final Duration ROLLOUT = Duration.ofMinutes(15);
    /** The longest the sink may go without a message through the gateways of the nodes not being updated. */
    private static final Duration MAX_GAP = Duration.ofSeconds(10);
    /** One message every 200 ms into each of three senders: the two cores also run three containers. */
    private static final long LOAD_INTERVAL_MS = 200;

    @Test
    void aFailedRolloutChangesNothingAndTheNextUpdatesEveryNodeWhileMailFlows() throws Exception {
        Path parent = NextVersion.workspace("cluster-update-it");
        Path keys = parent.resolve("keys");
        Path next = NextVersion.copy(parent, NEXT).with(Map.of(MIGRATION, "CREATE TABLE update_marker (note text NOT NULL);\n"
                + "INSERT INTO update_marker VALUES ('brought by the cluster update to " + NEXT + "');\n")).build();
        Path pkg = parent.resolve("portcullis-update-" + VERSION + "-" + NEXT + ".pcup");
        String packed = NextVersion.pack(parent, next, pkg);
        assertTrue(packed.contains("1 migrations") && packed.contains("no OS step"), packed);

        try (PostgresServer pg = PostgresServer.start(); SmtpSink sink = SmtpSink.start();
                Distribution a = Distribution.unpack(parent.resolve("a"));
                Distribution b = Distribution.unpack(parent.resolve("b"));
                Distribution c = Distribution.unpack(parent.resolve("c"));
                PostfixInstance gatewayA = PostfixInstance.create("cu-gw-a", Distribution.freePort(), sink.port, "127.0.0.1:" + a.milterPort);
                PostfixInstance gatewayB = PostfixInstance.create("cu-gw-b", Distribution.freePort(), sink.port, "127.0.0.1:" + b.milterPort);
                PostfixInstance gatewayC = PostfixInstance.create("cu-gw-c", Distribution.freePort(), sink.port, "127.0.0.1:" + c.milterPort);
                PostfixInstance senderA = PostfixInstance.create("cu-tx-a", Distribution.freePort(), gatewayA.smtpPort, null);
                PostfixInstance senderB = PostfixInstance.create("cu-tx-b", Distribution.freePort(), gatewayB.smtpPort, null);
                PostfixInstance senderC = PostfixInstance.create("cu-tx-c", Distribution.freePort(), gatewayC.smtpPort, null);
                Arrivals arrivals = new Arrivals(sink)) {
            List<Distribution> all = List.of(a, b, c);
            List<PostfixInstance> gateways = List.of(gatewayA, gatewayB, gatewayC);
            List<String> names = List.of("a", "b", "c");
            for (int i = 0; i < 3; i++) {
                Distribution d = all.get(i);
                Files.writeString(d.home.resolve("etc/org.portcullis.storage.cfg"), pg.storageConfig());
                Path cluster = d.home.resolve("etc/org.portcullis.cluster.cfg");
                if (Files.exists(cluster)) {
                    Distribution.setProperty(cluster, "address", names.get(i) + ".cluster.test");
                } else {
                    Files.writeString(cluster, "address = " + names.get(i) + ".cluster.test\n");
                }
                Files.copy(keys.resolve("release.pub.pem"), d.home.resolve("etc/portcullis-update-keys.pem"));
                // each node's update drains, stops and starts its own gateway, and its milter listener in the container
                gateways.get(i).controlledBy(d.home, true);
                Files.writeString(d.home.resolve("etc/org.portcullis.updater.service-milter.cfg"),
                        "name = milter\norder = 40\nkind = component\ncomponents = org.portcullis.milter.internal.service.MilterService\n");
                d.start();
            }
            String password = ClusterIT.firstAdminPassword(all);
            Map<String, Distribution> byId = new LinkedHashMap<>();
            Map<String, String> prefixes = new LinkedHashMap<>(); // node id -> the prefix of the mail through its gateway
            for (int i = 0; i < 3; i++) {
                Distribution d = all.get(i);
                d.awaitSsh(password, "storage:status", "State    : reachable");
                String id = d.awaitFile(d.home.resolve("data/portcullis/node-id")).strip();
                byId.put(id, d);
                prefixes.put(id, "u" + names.get(i));
            }
            ClusterIT.await(() -> ClusterIT.nodesBeating(pg, 3) && column(pg, "SELECT version FROM cluster.nodes").equals(List.of(VERSION, VERSION, VERSION)),
                    Distribution.DEADLINE, "three nodes beating at " + VERSION);
            for (PostfixInstance p : List.of(gatewayA, gatewayB, gatewayC, senderA, senderB, senderC)) {
                p.start();
            }
            try (MailLoad loadA = new MailLoad(senderA.smtpPort, "ua", LOAD_INTERVAL_MS);
                    MailLoad loadB = new MailLoad(senderB.smtpPort, "ub", LOAD_INTERVAL_MS);
                    MailLoad loadC = new MailLoad(senderC.smtpPort, "uc", LOAD_INTERVAL_MS)) {
                Thread.sleep(3000);

                // 1. the first node in the order no longer trusts the release key: the rollout stops there, nothing changed anywhere
                ClusterIT.await(() -> product(pg).equals(VERSION), Distribution.DEADLINE, "the database's product version recorded as " + VERSION);
                List<String> order = order(pg, byId.keySet());
                String primary = order.get(2);
                Path firstKeys = byId.get(order.get(0)).home.resolve("etc/portcullis-update-keys.pem");
                Files.writeString(firstKeys, "");
                String failed = byId.get(primary).sshWaiting(password, "update:apply --cluster " + pkg, ROLLOUT);
                assertTrue(failed.contains(plan(pg, order)), failed);
                assertTrue(failed.contains("node 1 of 3 " + label(pg, order.get(0)) + ": FAILED: "), failed);
                assertTrue(failed.contains("006: FAILED at node 1 of 3 " + label(pg, order.get(0)) + ": "), failed);
                assertFalse(failed.contains("node 2 of 3") || failed.contains("node 3 of 3"), "the nodes after it were touched:\n" + failed);
                Rollout stopped = lastRollout(pg);
                assertEquals("failed", stopped.state(), failed);
                List<Turn> stoppedTurns = turns(pg, stopped.id());
                assertEquals(order, stoppedTurns.stream().map(Turn::nodeId).toList());
                assertEquals(List.of("failed", "waiting", "waiting"), stoppedTurns.stream().map(Turn::state).toList());
                for (Distribution d : all) {
                    assertEquals("Portcullis " + VERSION, d.awaitSsh(password, "portcullis:version", "Portcullis ").strip());
                }
                assertEquals(List.of(VERSION, VERSION, VERSION), column(pg, "SELECT version FROM cluster.nodes"));
                assertEquals(VERSION, product(pg), "the database's product version");
                assertEquals(0, ClusterIT.count(pg, "SELECT count(*) FROM pg_tables WHERE schemaname = 'lists' AND tablename = 'update_marker'"));

                // 2. the key back, the same command again: every node in turn, the Primary last
                Files.copy(keys.resolve("release.pub.pem"), firstKeys, StandardCopyOption.REPLACE_EXISTING);
                ClusterIT.await(() -> ClusterIT.nodesBeating(pg, 3), Distribution.DEADLINE, "three nodes beating");
                ClusterIT.Lease before = ClusterIT.awaitLease(pg, 0);
                order = order(pg, byId.keySet());
                primary = order.get(2);
                Map<String, Long> pids = new LinkedHashMap<>();
                byId.forEach((id, d) -> pids.put(id, d.jvm().pid()));
                long t0 = System.nanoTime();
                String applied = byId.get(primary).sshWaiting(password, "update:apply --cluster " + pkg, ROLLOUT);
                long tookMillis = (System.nanoTime() - t0) / 1_000_000;
                List<String> expected = new ArrayList<>(List.of(plan(pg, order)));
                for (int i = 0; i < 3; i++) {
                    String node = "node " + (i + 1) + " of 3 " + label(pg, order.get(i)) + ": ";
                    expected.add(node + "updating");
                    expected.add(node + "done, runs " + NEXT);
                }
                expected.add("Cluster update done: every node runs " + NEXT);
                expected.add("006: OK");
                UpdateApplyIT.assertInOrder(applied, expected.toArray(new String[0]));
                assertTrue(applied.strip().endsWith("006: OK"), applied);
                assertFalse(applied.contains("already runs"), applied);
                Thread.sleep(3000); // mail on the new version everywhere

                // every node at NEXT in the same JVM, the migration and the version committed once, the lease moved on
                for (var e : byId.entrySet()) {
                    assertEquals("Portcullis " + NEXT, e.getValue().awaitSsh(password, "portcullis:version", "Portcullis " + NEXT).strip());
                    assertEquals(pids.get(e.getKey()).longValue(), e.getValue().jvm().pid(), "the bundles were swapped in the same JVM on " + e.getKey());
                    assertTrue(e.getValue().ssh(password, "portcullis:maintenance status").contains("Maintenance: off"), e.getKey());
                }
                ClusterIT.await(() -> column(pg, "SELECT version FROM cluster.nodes").equals(List.of(NEXT, NEXT, NEXT)), Duration.ofSeconds(30),
                        "every node's row at " + NEXT);
                assertEquals(NEXT, product(pg));
                assertEquals(1, ClusterIT.count(pg, "SELECT count(*) FROM lists.update_marker"));
                assertEquals(1, ClusterIT.count(pg, "SELECT count(*) FROM storage.schema_history WHERE schema_name = 'lists' AND version = 2"));
                ClusterIT.Lease after = ClusterIT.awaitLease(pg, before.epoch());
                // any node tells the story: the shell and REST
                String status = byId.get(order.get(0)).ssh(password, "cluster:status");
                assertTrue(status.contains("The last cluster update:") && status.contains("  Cluster update done: every node runs " + NEXT)
                        && status.contains("  006: OK"), status);
                var story = new ApiClient(byId.get(order.get(1))).call("GET", "/cluster/update", ApiClient.basic("admin", password), null);
                assertEquals(200, story.statusCode(), story.body());
                var lines = ApiClient.json(story);
                assertEquals(expected.size(), lines.size(), story.body());
                assertEquals("006: OK", lines.get(lines.size() - 1).asText(), story.body());
                Rollout done = lastRollout(pg);
                assertEquals("done", done.state(), applied);
                assertTrue(done.finished() != null, "the rollout has no end: " + done);
                List<Turn> turns = turns(pg, done.id());
                assertEquals(order, turns.stream().map(Turn::nodeId).toList());
                assertEquals(List.of("done", "done", "done"), turns.stream().map(Turn::state).toList());
                // the old Primary gave its role to the first updated node as soon as that one beat on NEXT, before its own turn
                try (Connection db = pg.connect(); PreparedStatement ps = db.prepareStatement(
                        "SELECT count(*) FROM cluster.terms WHERE node_id = ? AND began_at < ?")) {
                    ps.setString(1, order.get(0));
                    ps.setTimestamp(2, turns.get(2).started());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        assertTrue(rs.getLong(1) > 0, "node 1 (on " + NEXT + ") never led before the old Primary's own turn");
                    }
                }
                for (int i = 0; i < 3; i++) {
                    Turn t = turns.get(i);
                    assertTrue(t.started() != null && t.finished() != null && !t.finished().before(t.started()), t.toString());
                    assertTrue(i == 0 || !t.started().before(turns.get(i - 1).finished()), "windows overlap: " + turns);
                }

                // nothing lost, nothing doubled; and while each node was updated, mail went on through the two others
                int sentA = loadA.stop();
                int sentB = loadB.stop();
                int sentC = loadC.stop();
                arrivals.close();
                PostfixInstance[] every = {senderA, senderB, senderC, gatewayA, gatewayB, gatewayC};
                for (MailLoad load : List.of(loadA, loadB, loadC)) {
                    assertEquals(List.of(), load.refused(), "the sending MTA took every message");
                    assertEquals(List.of(), load.awaitEachOnce(sink, every), "lost or doubled");
                }
                StringBuilder windows = new StringBuilder();
                for (Turn t : turns) {
                    List<String> others = prefixes.entrySet().stream().filter(e -> !e.getKey().equals(t.nodeId())).map(Map.Entry::getValue).toList();
                    long from = t.started().getTime();
                    long to = t.finished().getTime();
                    for (String other : others) {
                        assertTrue(arrivals.count(List.of(other), from, to) > 0, "no mail through gateway " + other + " while " + t.nodeId() + " was updated");
                    }
                    long gap = arrivals.longestGap(others, from, to);
                    windows.append(String.format(Locale.ROOT, "%n  node %d of 3 %s%s: %.1f s; %d messages through the other gateways meanwhile, "
                            + "longest without one %.1f s", t.position(), t.nodeId(), t.nodeId().equals(primary) ? " (Primary)" : "", (to - from) / 1e3,
                            arrivals.count(others, from, to), gap / 1e3));
                    assertTrue(gap <= MAX_GAP.toMillis(), "mail stopped cluster-wide for " + gap + " ms while " + t.nodeId() + " was updated" + windows);
                }
                System.out.println(String.format(Locale.ROOT, "cluster update %s -> %s of 3 nodes under load: the command %.1f s, the rollout %.1f s in the "
                        + "database; lease epoch %d (%s) before, %d (%s) after", VERSION, NEXT, tookMillis / 1e3,
                        (done.finished().getTime() - done.started().getTime()) / 1e3, before.epoch(), before.holder(), after.epoch(), after.holder()) + windows);
                System.out.println("mail during both cluster updates: " + sentA + " + " + sentB + " + " + sentC
                        + " messages through the three gateways, each at the sink once");
            }
        }
    }

    /** One node's turn in a rollout. */
    private record Turn(int position, String nodeId, String state, Timestamp started, Timestamp finished) {
    }

    /** A cluster update's row. */
    private record Rollout(long id, String state, Timestamp started, Timestamp finished) {
    }

    /** The rollout order as the contract states it: the Secondaries by node id, the lease holder last. */
    private static List<String> order(PostgresServer pg, Collection<String> ids) throws Exception {
        String primary = ClusterIT.awaitLease(pg, 0).holder();
        List<String> order = new ArrayList<>(ids.stream().filter(id -> !id.equals(primary)).sorted().toList());
        order.add(primary);
        return order;
    }

    /** The first line of a cluster update of the three nodes in {@code order}. */
    private static String plan(PostgresServer pg, List<String> order) throws SQLException {
        return "Cluster update " + VERSION + " -> " + NEXT + ": 3 nodes, one at a time: 1. " + label(pg, order.get(0)) + ", 2. "
                + label(pg, order.get(1)) + ", 3. " + order.get(2) + " (" + address(pg, order.get(2)) + ", Primary)";
    }

    /** {@code <nodeId> (<address>)}, as the cluster update's log names a node. */
    private static String label(PostgresServer pg, String id) throws SQLException {
        return id + " (" + address(pg, id) + ")";
    }

    private static String address(PostgresServer pg, String id) throws SQLException {
        return column(pg, "SELECT address FROM cluster.nodes WHERE node_id = ?", id).get(0);
    }

    /** The version in {@code storage.product}; empty when none was recorded. */
    private static String product(PostgresServer pg) throws SQLException {
        if (ClusterIT.count(pg, "SELECT count(*) FROM pg_tables WHERE schemaname = 'storage' AND tablename = 'product'") == 0) {
            return "";
        }
        List<String> v = column(pg, "SELECT version FROM storage.product WHERE id = 1");
        return v.isEmpty() ? "" : v.get(0);
    }

    private static Rollout lastRollout(PostgresServer pg) throws SQLException {
        try (Connection c = pg.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, state, started_at, finished_at FROM cluster.rollouts ORDER BY id DESC LIMIT 1"); ResultSet rs = ps.executeQuery()) {
            assertTrue(rs.next(), "no rollout recorded");
            return new Rollout(rs.getLong(1), rs.getString(2), rs.getTimestamp(3), rs.getTimestamp(4));
        }
    }

    private static List<Turn> turns(PostgresServer pg, long rollout) throws SQLException {
        List<Turn> out = new ArrayList<>();
        try (Connection c = pg.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT position, node_id, state, started_at, finished_at FROM cluster.rollout_nodes WHERE rollout_id = ? ORDER BY position")) {
            ps.setLong(1, rollout);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Turn(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4), rs.getTimestamp(5)));
                }
            }
        }
        return out;
    }

    /** The first column of every row, as text. */
    private static List<String> column(PostgresServer pg, String sql, String... params) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = pg.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /**
     * When each load message was first seen at the sink (epoch milliseconds, the clock the
     * database's timestamps are on too), looked for every second from a thread of its own.
     */
    private static final class Arrivals implements AutoCloseable {

        private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        Arrivals(SmtpSink sink) {
            thread = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        List<String> messages = sink.messages(MailLoad.END);
                        long now = System.currentTimeMillis();
                        for (String m : messages) {
                            int at = m.indexOf("Message-ID: <");
                            if (at >= 0) {
                                firstSeen.putIfAbsent(m.substring(at + 13, m.indexOf('@', at)), now);
                            }
                        }
                        Thread.sleep(1000);
                    } catch (IOException readAgain) {
                        // a dump being written: the next round reads it
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "sink-arrivals");
            thread.setDaemon(true);
            thread.start();
        }

        /** How many messages through the gateways of these load prefixes arrived within [from, to]. */
        long count(List<String> prefixes, long from, long to) {
            return times(prefixes, from, to).size();
        }

        /** The longest stretch of [from, to] in which no message through these gateways arrived. */
        long longestGap(List<String> prefixes, long from, long to) {
            long gap = 0;
            long last = from;
            for (long t : times(prefixes, from, to)) {
                gap = Math.max(gap, t - last);
                last = t;
            }
            return Math.max(gap, to - last);
        }

        private List<Long> times(List<String> prefixes, long from, long to) {
            return firstSeen.entrySet().stream().filter(e -> prefixes.stream().anyMatch(p -> e.getKey().startsWith(p + "-")))
                    .map(Map.Entry::getValue).filter(t -> t >= from && t <= to).sorted().toList();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(10_000);
        }
    }
}
