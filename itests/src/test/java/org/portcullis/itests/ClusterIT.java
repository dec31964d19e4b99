package org.portcullis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * Three distributions on one PostgreSQL server (Debian's, started here), with the cluster's
 * defaults (heartbeat 1 s, lease 5 s) and a scheduled backup every 2 s, the Primary-only job whose
 * runs the database records. The Primary is killed ({@code kill -9}), then another one is paused
 * ({@code kill -STOP}) for 15 s, then a Secondary is promoted by an admin: each time another node
 * leads within 10 s under a higher epoch, the node that lost the role comes back as a Secondary,
 * and no job ever ran outside its own term, over 20 more forced fail-overs too. A shared setting
 * changed on one node reaches the others within 1 s; a fourth node on its own embedded database
 * joins and leaves. And mail through two gateway Postfix instances, one per node, arrives at the
 * sink exactly once while the Primary is killed and restarted.
 */
class ClusterIT {

    private static final Duration TAKE_OVER = Duration.ofSeconds(10);
    private static final int FAIL_OVERS = 20;

    @Test
    void theNodesFailOverByThemselvesAndNoTwoPrimariesEverAct() throws Exception {
        Path parent = Paths.get("target", "cluster-it", Long.toString(System.nanoTime())).toAbsolutePath();
        try (PostgresServer pg = PostgresServer.start();
                Distribution a = Distribution.unpack(parent.resolve("a"));
                Distribution b = Distribution.unpack(parent.resolve("b"));
                Distribution c = Distribution.unpack(parent.resolve("c"));
                Distribution joiner = Distribution.unpack(parent.resolve("d"))) {
            joiner.start(); // on its own embedded database: it joins later
            List<Distribution> all = List.of(a, b, c);
            for (Distribution d : all) {
                Files.writeString(d.home.resolve("etc/org.portcullis.storage.cfg"), pg.storageConfig());
                Path schedule = d.home.resolve("etc/org.portcullis.backup.schedule.cfg");
                Files.writeString(schedule, Files.readString(schedule).replaceAll("(?m)^cron = .*$", "cron = 0/2 * * * * ?")
                        .replaceAll("(?m)^keep = .*$", "keep = 2"));
                d.start();
            }
            String password = firstAdminPassword(all);
            Map<String, Distribution> byId = new LinkedHashMap<>();
            for (Distribution d : all) {
                assertTrue(d.ssh(password, "cluster:status").contains("This node: "));
                byId.put(d.awaitFile(d.home.resolve("data/portcullis/node-id")).strip(), d);
            }
            await(() -> nodesBeating(pg, 3), Distribution.DEADLINE, "three nodes with fresh heartbeats");
            Lease first = awaitLease(pg, 0);
            await(() -> jobsBy(pg, first.holder) > 0, Duration.ofSeconds(20), "a scheduled backup run by the Primary");
            // one reading of the table: a backup runs every 2 s, so two readings could differ by one run
            Map<String, Long> runs = jobsByNode(pg);
            assertEquals(Set.of(first.holder), runs.keySet(), "only the Primary runs the scheduled backup: " + runs);
            String status = byId.get(first.holder).ssh(password, "cluster:status");
            assertTrue(status.contains("Primary, epoch " + first.epoch), status);

            // a shared setting changed on one node (a Secondary) is active on the two others within 1 s
            Distribution changer = byId.entrySet().stream().filter(e -> !e.getKey().equals(first.holder)).findFirst().orElseThrow().getValue();
            changer.ssh(password, "config:property-set --pid org.portcullis.tracking retention.days 21");
            long changedAt = System.nanoTime();
            long slowest = 0;
            for (Distribution d : all) {
                Path cfg = d.home.resolve("etc/org.portcullis.tracking.cfg");
                await(() -> read(cfg).matches("(?s).*retention\\.days\\s*=\\s*21\\b.*"), Duration.ofSeconds(10),
                        "the setting in " + cfg, 5);
                slowest = Math.max(slowest, (System.nanoTime() - changedAt) / 1_000_000);
            }
            System.out.println("a shared setting changed on one node: in every node's etc/ after " + slowest + " ms");
            assertTrue(slowest < 1000, "the setting reached the last node after " + slowest + " ms");
            assertEquals(1, count(pg, "SELECT count(*) FROM cluster.settings WHERE pid = 'org.portcullis.tracking' AND key = 'retention.days' "
                    + "AND value = '21'"));

            // kill -9 of the Primary: another node leads within 10 s, under a higher epoch
            Distribution killed = byId.get(first.holder);
            long t0 = System.nanoTime();
            killed.kill9();
            Lease second = awaitLease(pg, first.epoch);
            long tookMillis = (System.nanoTime() - t0) / 1_000_000;
            assertNotEquals(first.holder, second.holder);
            assertTrue(tookMillis < TAKE_OVER.toMillis(), "a new Primary after " + tookMillis + " ms");
            System.out.println("kill -9 of the Primary: a new Primary (epoch " + second.epoch + ") after " + tookMillis + " ms");
            Timestamp restarted = dbNow(pg);
            killed.start();
            await(() -> role(pg, first.holder).equals("secondary") && started(pg, first.holder).after(restarted),
                    Distribution.DEADLINE, "the killed Primary back, as a Secondary");
            assertTrue(killed.ssh(password, "cluster:status").contains("Secondary"), "the restarted node says it is a Secondary");

            // kill -STOP of the Primary for 15 s: it loses the lease, and after waking writes nothing and steps down
            Distribution paused = byId.get(second.holder);
            long pid = paused.jvm().pid();
            signal("STOP", pid);
            long stoppedAt = System.nanoTime();
            Lease third = awaitLease(pg, second.epoch);
            long pauseMillis = (System.nanoTime() - stoppedAt) / 1_000_000;
            assertTrue(pauseMillis < TAKE_OVER.toMillis(), "no new Primary within 10 s of the pause");
            System.out.println("kill -STOP of the Primary: a new Primary (epoch " + third.epoch + ") after " + pauseMillis + " ms");
            Thread.sleep(Math.max(0, Duration.ofSeconds(15).toMillis() - (System.nanoTime() - stoppedAt) / 1_000_000));
            Timestamp woke = dbNow(pg);
            signal("CONT", pid);
            await(() -> role(pg, second.holder).equals("secondary"), Duration.ofSeconds(10), "the woken node shown as a Secondary");
            Thread.sleep(4000); // its scheduler fires what it missed while it slept, and its heartbeats go on
            assertEquals(0, jobsSince(pg, second.holder, woke), "the woken node ran a Primary-only job");
            assertEquals(third.holder, awaitLease(pg, second.epoch).holder, "the lease stayed with the node that took it");
            assertTrue(Files.readString(paused.home.resolve("data/log/karaf.log")).contains("is a Secondary again"));

            // an admin promotes a Secondary: it leads at once under a new epoch; the Primary before steps down
            String secondary = byId.keySet().stream().filter(id -> !id.equals(third.holder)).findFirst().orElseThrow();
            String promoted = byId.get(secondary).ssh(password, "cluster:promote");
            assertTrue(promoted.contains("This node is the Primary, epoch " + (third.epoch + 1)), promoted);
            await(() -> role(pg, third.holder).equals("secondary"), Duration.ofSeconds(5), "the overruled Primary stepping down");
            assertEquals(new Lease(secondary, third.epoch + 1), awaitLease(pg, third.epoch));

            // the same over REST, from the promoted node
            ApiClient api = new ApiClient(byId.get(secondary));
            com.fasterxml.jackson.databind.JsonNode view = ApiClient.json(api.call("GET", "/cluster", ApiClient.basic("admin", password), null));
            assertEquals(secondary, view.get("nodeId").asText());
            assertTrue(view.get("primary").asBoolean(), view.toString());
            assertEquals(third.epoch + 1, view.get("lease").get("epoch").asLong());
            assertEquals(3, view.get("nodes").size(), view.toString());
            assertEquals(4, ApiClient.json(api.call("GET", "/cluster/terms", ApiClient.basic("admin", password), null)).size());
            java.net.http.HttpResponse<String> again = api.call("POST", "/cluster/promote", ApiClient.basic("admin", password), null);
            assertEquals(200, again.statusCode(), again.body());
            assertEquals(third.epoch + 1, ApiClient.json(again).get("epoch").asLong(), "promoting the Primary again keeps its term");

            // 20 forced fail-overs in a row, round the three nodes, while the scheduled backup keeps running every 2 s
            List<String> ids = new ArrayList<>(byId.keySet());
            long epoch = third.epoch + 1;
            String holder = secondary;
            for (int i = 0; i < FAIL_OVERS; i++) {
                String next = ids.get((ids.indexOf(holder) + 1) % ids.size());
                java.net.http.HttpResponse<String> taken = new ApiClient(byId.get(next)).call("POST", "/cluster/promote",
                        ApiClient.basic("admin", password), null);
                assertEquals(200, taken.statusCode(), taken.body());
                long now = ApiClient.json(taken).get("epoch").asLong();
                assertTrue(now > epoch, "a promote took the lease under a higher epoch: " + taken.body());
                epoch = now;
                holder = next;
                Thread.sleep(300);
            }
            assertEquals(new Lease(holder, epoch), awaitLease(pg, epoch - 1));

            // a node on its own embedded database joins (refused first for a bad URL and an unreachable database), then leaves
            String ownPassword = joiner.awaitFile(joiner.home.resolve("data/portcullis/initial-admin-password")).strip();
            assertTrue(joiner.ssh(ownPassword, "cluster:join jdbc:mysql://127.0.0.1/portcullis")
                    .contains("'jdbc:mysql://127.0.0.1/portcullis' is not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database)"));
            String unreachable = joiner.ssh(ownPassword, "cluster:join --user postgres jdbc:postgresql://127.0.0.1:" + Distribution.freePort() + "/postgres");
            assertTrue(unreachable.contains("cannot use the database at jdbc:postgresql://127.0.0.1:"), unreachable);
            String dId = joiner.awaitFile(joiner.home.resolve("data/portcullis/node-id")).strip();
            assertEquals("", role(pg, dId), "a refused join changed something");
            String joined = joiner.ssh(ownPassword, "cluster:join --user postgres " + pg.url());
            assertTrue(joined.contains("This node now uses the database at " + pg.url()), joined);
            await(() -> role(pg, dId).equals("secondary"), Distribution.DEADLINE, "the joining node beating as a Secondary");
            String dStatus = joiner.awaitSsh(password, "cluster:status", "Secondary"); // the cluster's accounts now
            assertTrue(dStatus.contains(secondary), dStatus);
            String left = joiner.ssh(password, "cluster:leave");
            assertTrue(left.contains("This node left the cluster"), left);
            await(() -> role(pg, dId).isEmpty(), Duration.ofSeconds(10), "the leaving node's row gone");
            assertTrue(joiner.awaitSsh(ownPassword, "cluster:leave", "no shared cluster to leave").contains("embedded database"),
                    "back on its own database, with its own accounts");

            // the terms never overlap, and every job ran inside its own term on its own node
            List<String> terms = terms(pg);
            // a lease lost by itself on a loaded machine would add a term: at least one per fail-over, then
            assertTrue(terms.size() >= 4 + FAIL_OVERS, terms.toString());
            assertEquals(List.of("expired", "expired", "promoted"), terms.subList(1, 4).stream().map(t -> t.split(" ")[2]).toList(), terms.toString());
            assertTrue(terms.subList(4, terms.size()).stream().filter(t -> t.split(" ")[2].equals("promoted")).count() >= FAIL_OVERS, terms.toString());
            assertEquals(0, count(pg, "SELECT count(*) FROM cluster.terms t JOIN cluster.terms n ON n.epoch = t.epoch + 1 WHERE t.ended_at > n.began_at"),
                    "overlapping terms: " + terms);
            assertEquals(0, count(pg, "SELECT count(*) FROM cluster.jobs j JOIN cluster.terms t ON t.epoch = j.epoch "
                    + "WHERE j.node_id <> t.node_id OR j.started_at < t.began_at OR (t.ended_at IS NOT NULL AND j.started_at > t.ended_at) "
                    + "OR (t.ended_at IS NOT NULL AND j.finished_at > t.ended_at)"), "a job outside its term");
        }
    }

    @Test
    void mailThroughTwoGatewaysArrivesExactlyOnceWhileThePrimaryIsKilled() throws Exception {
        Path parent = Paths.get("target", "cluster-it", "mail-" + System.nanoTime()).toAbsolutePath();
        try (PostgresServer pg = PostgresServer.start(); SmtpSink sink = SmtpSink.start();
                Distribution a = Distribution.unpack(parent.resolve("a"));
                Distribution b = Distribution.unpack(parent.resolve("b"));
                PostfixInstance gatewayA = PostfixInstance.create("cluster-gw-a", Distribution.freePort(), sink.port, "127.0.0.1:" + a.milterPort);
                PostfixInstance gatewayB = PostfixInstance.create("cluster-gw-b", Distribution.freePort(), sink.port, "127.0.0.1:" + b.milterPort);
                PostfixInstance senderA = PostfixInstance.create("cluster-tx-a", Distribution.freePort(), gatewayA.smtpPort, null);
                PostfixInstance senderB = PostfixInstance.create("cluster-tx-b", Distribution.freePort(), gatewayB.smtpPort, null)) {
            Map<String, Distribution> byId = new LinkedHashMap<>();
            for (Distribution d : List.of(a, b)) {
                Files.writeString(d.home.resolve("etc/org.portcullis.storage.cfg"), pg.storageConfig());
                d.start();
            }
            for (Distribution d : List.of(a, b)) {
                byId.put(d.awaitFile(d.home.resolve("data/portcullis/node-id")).strip(), d);
            }
            await(() -> nodesBeating(pg, 2), Distribution.DEADLINE, "two nodes with fresh heartbeats");
            Lease first = awaitLease(pg, 0);
            Distribution primary = byId.get(first.holder);
            Distribution secondary = primary == a ? b : a;
            PostfixInstance primaryGateway = primary == a ? gatewayA : gatewayB;
            PostfixInstance secondaryGateway = primary == a ? gatewayB : gatewayA;
            for (PostfixInstance p : List.of(gatewayA, gatewayB, senderA, senderB)) {
                p.start();
            }
            try (MailLoad toPrimary = new MailLoad(primary == a ? senderA.smtpPort : senderB.smtpPort, "cp", 50);
                    MailLoad toSecondary = new MailLoad(primary == a ? senderB.smtpPort : senderA.smtpPort, "cs", 50)) {
                Thread.sleep(3000);
                primary.kill9();
                int beforeOutage = sink.messages(MailLoad.END).size();
                awaitLease(pg, first.epoch);
                // the surviving node filters its gateway's mail all along; the dead node's gateway defers its mail
                await(() -> sink.messages(MailLoad.END).size() >= beforeOutage + 20, Duration.ofSeconds(30),
                        "mail through the surviving node while the other is down");
                primary.start();
                await(() -> role(pg, first.holder).equals("secondary"), Distribution.DEADLINE, "the killed node back, as a Secondary");
                Thread.sleep(3000);
                toPrimary.stop();
                toSecondary.stop();
                assertEquals(List.of(), toPrimary.refused(), "the sending MTA took every message");
                assertEquals(List.of(), toSecondary.refused());
                List<String> wrongA = toPrimary.awaitEachOnce(sink, senderA, senderB, gatewayA, gatewayB);
                List<String> wrongB = toSecondary.awaitEachOnce(sink, senderA, senderB, gatewayA, gatewayB);
                assertEquals(List.of(), wrongA, "through the killed node's gateway: lost or doubled");
                assertEquals(List.of(), wrongB, "through the surviving node's gateway: lost or doubled");
                System.out.println("two gateways, Primary killed under load: " + toPrimary.stop() + " + " + toSecondary.stop()
                        + " messages, each at the sink once; the surviving gateway's queue " + secondaryGateway.queued()
                        + ", the other's " + primaryGateway.queued());
            }
            String survivor = byId.entrySet().stream().filter(e -> e.getValue() == secondary).findFirst().orElseThrow().getKey();
            assertEquals(survivor, awaitLease(pg, first.epoch).holder, "the surviving node leads; the restarted one did not take the lease back");
        }
    }

    @Test
    void whenAStreamingStandbyIsPromotedTheNodesFollowItAndNoMailIsLost() throws Exception {
        Path parent = Paths.get("target", "cluster-it", "standby-" + System.nanoTime()).toAbsolutePath();
        try (PostgresServer primaryDb = PostgresServer.start(); PostgresServer standbyDb = primaryDb.standby(); SmtpSink sink = SmtpSink.start();
                Distribution a = Distribution.unpack(parent.resolve("a"));
                Distribution b = Distribution.unpack(parent.resolve("b"));
                PostfixInstance gateway = PostfixInstance.create("standby-gw", Distribution.freePort(), sink.port, "127.0.0.1:" + a.milterPort);
                PostfixInstance sender = PostfixInstance.create("standby-tx", Distribution.freePort(), gateway.smtpPort, null)) {
            // both servers in one URL: the driver connects to whichever accepts writes
            String url = "jdbc:postgresql://127.0.0.1:" + primaryDb.port + ",127.0.0.1:" + standbyDb.port + "/postgres?targetServerType=primary";
            for (Distribution d : List.of(a, b)) {
                Files.writeString(d.home.resolve("etc/org.portcullis.storage.cfg"), "url = " + url + "\nuser = postgres\n");
                d.start();
            }
            await(() -> nodesBeating(primaryDb, 2), Distribution.DEADLINE, "two nodes beating on the primary server");
            String password = firstAdminPassword(List.of(a, b));
            a.awaitSsh(password, "lists:add block *.blocked-before.example", "Added");
            gateway.start();
            sender.start();
            try (MailLoad load = new MailLoad(sender.smtpPort, "sb", 50)) {
                Thread.sleep(3000);
                // the primary server crashes; the standby is promoted: the nodes find it by themselves
                primaryDb.crash();
                long crashed = System.nanoTime();
                standbyDb.promote();
                Timestamp promoted = dbNow(standbyDb);
                // rows replicated before the crash do not count: heartbeats and a renewed lease written after the promotion
                String sincePromotion = "to_timestamp(" + promoted.getTime() / 1000.0 + ")";
                String fresh = "SELECT count(*) FROM cluster.nodes WHERE heartbeat_at > " + sincePromotion;
                await(() -> count(standbyDb, fresh) == 2, Duration.ofSeconds(30), "both nodes beating on the promoted standby");
                long followed = (System.nanoTime() - crashed) / 1_000_000;
                System.out.println("standby promoted: both nodes beating on it " + followed + " ms after the primary server crashed");
                await(() -> count(standbyDb, "SELECT count(*) FROM cluster.lease WHERE renewed_at > " + sincePromotion) == 1,
                        Duration.ofSeconds(10), "the lease renewed on the promoted standby");
                // the lists written before the crash came over by replication, and a change after it reaches the other node
                a.awaitSsh(password, "lists:add block *.blocked-after.example", "Added");
                String after = b.awaitSsh(password, "lists:check someone@mx.blocked-after.example", "Decides:");
                assertTrue(after.contains("block *.blocked-after.example"), after);
                String before = b.ssh(password, "lists:check someone@mx.blocked-before.example");
                assertTrue(before.contains("block *.blocked-before.example"), before);
                Thread.sleep(2000);
                load.stop();
                assertEquals(List.of(), load.refused(), "the sending MTA took every message");
                assertEquals(List.of(), load.awaitEachOnce(sink, sender, gateway), "lost or doubled while the database moved");
                System.out.println("standby promoted under load: " + load.stop() + " messages, each at the sink once");
            }
            // the status is the last periodic check's: it turns reachable at the first check after the promotion
            a.awaitSsh(password, "storage:status", "State    : reachable");
        }
    }

    /** The lease once a node holds it under an epoch above {@code above}. */
    record Lease(String holder, long epoch) {
    }

    static Lease awaitLease(PostgresServer pg, long above) throws Exception {
        long end = System.nanoTime() + Distribution.DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            try (Connection c = pg.connect(); PreparedStatement ps = c.prepareStatement(
                    "SELECT holder, epoch FROM cluster.lease WHERE expires_at > clock_timestamp() AND epoch > ?")) {
                ps.setLong(1, above);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new Lease(rs.getString(1), rs.getLong(2));
                    }
                }
            } catch (SQLException notYet) {
                // the schema is made by the first node
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no node took the lease above epoch " + above);
    }

    static boolean nodesBeating(PostgresServer pg, int n) {
        try {
            return count(pg, "SELECT count(*) FROM cluster.nodes WHERE heartbeat_at > clock_timestamp() - interval '3 seconds'") == n;
        } catch (SQLException notYet) {
            return false;
        }
    }

    private static String role(PostgresServer pg, String node) throws SQLException {
        try (Connection c = pg.connect(); PreparedStatement ps = c.prepareStatement("SELECT role FROM cluster.nodes WHERE node_id = ?")) {
            ps.setString(1, node);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : "";
            }
        }
    }

    private static Timestamp started(PostgresServer pg, String node) throws SQLException {
        try (Connection c = pg.connect(); PreparedStatement ps = c.prepareStatement("SELECT started_at FROM cluster.nodes WHERE node_id = ?")) {
            ps.setString(1, node);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getTimestamp(1);
            }
        }
    }

    private static long jobsBy(PostgresServer pg, String node) throws SQLException {
        return jobsByNode(pg).getOrDefault(node, 0L);
    }

    private static Map<String, Long> jobsByNode(PostgresServer pg) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (Connection c = pg.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT node_id, count(*) FROM cluster.jobs WHERE name = 'backup.scheduled' GROUP BY node_id"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    private static long jobsSince(PostgresServer pg, String node, Timestamp since) throws SQLException {
        try (Connection c = pg.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM cluster.jobs WHERE node_id = ? AND (started_at >= ? OR finished_at >= ?)")) {
            ps.setString(1, node);
            ps.setTimestamp(2, since);
            ps.setTimestamp(3, since);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Timestamp dbNow(PostgresServer pg) throws SQLException {
        try (Connection c = pg.connect(); PreparedStatement ps = c.prepareStatement("SELECT clock_timestamp()"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getTimestamp(1);
        }
    }

    private static List<String> terms(PostgresServer pg) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = pg.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT epoch, node_id, how, began_at, ended_at FROM cluster.terms ORDER BY epoch"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getLong(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getTimestamp(4) + " " + rs.getTimestamp(5));
            }
        }
        return out;
    }

    static long count(PostgresServer pg, String sql) throws SQLException {
        try (Connection c = pg.connect(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The file's text, or empty while it is being replaced. */
    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException beingWritten) {
            return "";
        }
    }

    private static void signal(String name, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + name + " " + pid);
    }

    interface Check {
        boolean holds() throws Exception;
    }

    static void await(Check check, Duration within, String what) throws Exception {
        await(check, within, what, 200);
    }

    private static void await(Check check, Duration within, String what, long everyMillis) throws Exception {
        long end = System.nanoTime() + within.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + within.toSeconds() + " s: " + what);
            }
            Thread.sleep(everyMillis);
        }
    }

    /** The password one of the nodes wrote when it made the first admin (the others find the account in the shared database). */
    static String firstAdminPassword(List<Distribution> nodes) throws Exception {
        long end = System.nanoTime() + Distribution.DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            for (Distribution d : nodes) {
                Path f = d.home.resolve("data/portcullis/initial-admin-password");
                if (Files.isRegularFile(f) && Files.size(f) > 0) {
                    return Files.readString(f).strip();
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no node made the first admin:\n" + nodes.get(0).console());
    }
}
