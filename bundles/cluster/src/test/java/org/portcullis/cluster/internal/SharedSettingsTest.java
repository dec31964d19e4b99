package org.portcullis.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.portcullis.storage.internal.TestDatabase;

/**
 * Cluster-wide settings between nodes on a real PostgreSQL: each node's configuration is a map
 * here (ConfigurationAdmin's part is ConfigAdminLocal, exercised in ClusterIT); the table, its
 * trigger and LISTEN/NOTIFY are the real ones.
 */
class SharedSettingsTest {

    private static final String PID = "org.portcullis.tracking";
    private static final Map<String, Set<String>> SHARED = SharedSettings.parse(PID + "/retention.days, " + PID + "/batch.size");

    private final DataSource ds = TestDatabase.get();
    private final List<SharedSettings> nodes = new ArrayList<>();

    @BeforeEach
    void freshSchema() throws Exception {
        TestDatabase.recreate(ClusterService.SCHEMA, getClass(), "V1__nodes_and_lease.sql", "V2__settings.sql", "V4__node_instance.sql");
    }

    @AfterEach
    void stopAll() {
        nodes.forEach(SharedSettings::close);
    }

    /** A node's configuration: PID → key → value. */
    private static final class Config implements SharedSettings.LocalConfig {
        final Map<String, Map<String, String>> pids = new ConcurrentHashMap<>();

        Config with(String pid, String key, String value) {
            pids.computeIfAbsent(pid, p -> new ConcurrentHashMap<>()).put(key, value);
            return this;
        }

        String value(String key) {
            return pids.getOrDefault(PID, Map.of()).get(key);
        }

        @Override
        public Map<String, String> get(String pid) {
            return new HashMap<>(pids.getOrDefault(pid, Map.of()));
        }

        @Override
        public void set(String pid, Map<String, String> changes) {
            Map<String, String> m = pids.computeIfAbsent(pid, p -> new ConcurrentHashMap<>());
            changes.forEach((k, v) -> {
                if (v == null) {
                    m.remove(k);
                } else {
                    m.put(k, v);
                }
            });
        }
    }

    private SharedSettings node(String id, String version, boolean current, Config config) {
        SharedSettings s = new SharedSettings(ds, config, SHARED, id, version, () -> current, Duration.ofHours(1)).start();
        nodes.add(s);
        return s;
    }

    private static long await(BooleanSupplier done, String what) throws InterruptedException {
        long start = System.nanoTime();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() - start < 5_000_000_000L, "not within 5 s: " + what);
            Thread.sleep(5);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private String row(String key) throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT coalesce(value, '(unset)') || ' ' || version || ' ' || node_id FROM cluster.settings WHERE pid = ? AND key = ?")) {
            ps.setString(1, PID);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    @Test
    void theFirstNodeSeedsAndANodeStartingLaterTakesTheClustersValues() throws Exception {
        Config a = new Config().with(PID, "retention.days", "30").with(PID, "queue.capacity", "5");
        node("a", "1.0", true, a);
        assertEquals("30 1.0 a", row("retention.days"));
        assertEquals(null, row("batch.size"), "a key a node leaves at its default seeds nothing");
        assertEquals(null, row("queue.capacity"), "a per-node key is never shared");

        Config b = new Config().with(PID, "retention.days", "7").with(PID, "batch.size", "10").with(PID, "queue.capacity", "9");
        node("b", "1.0", true, b);
        assertEquals("30", b.value("retention.days"), "the table wins over a starting node's own files");
        assertEquals("10", b.value("batch.size"));
        assertEquals("10 1.0 b", row("batch.size"), "a key the table lacks is seeded from the first node that has a value");
        assertEquals("9", b.value("queue.capacity"));
        assertEquals("30 1.0 a", row("retention.days"));
        await(() -> "10".equals(a.value("batch.size")), "b's seed applied on a");
    }

    @Test
    void theEventOfAnApplyThatComesLateNeverWritesTheOlderValueBack() throws Exception {
        Config a = new Config().with(PID, "retention.days", "30");
        SharedSettings na = node("a", "1.0", true, a);
        // b's passes are driven by hand here (no listener), so the order of events is exact
        Config b = new Config();
        SharedSettings nb = new SharedSettings(ds, b, SHARED, "b", "1.0", () -> true, Duration.ofHours(1));
        nb.apply();
        a.with(PID, "retention.days", "6");
        na.changed(PID);
        nb.apply();
        assertEquals("6", b.value("retention.days"));
        a.with(PID, "retention.days", "7");
        na.changed(PID);
        nb.changed(PID); // the configuration event of b's apply of 6 arrives now, before b has seen 7
        assertEquals("7 1.0 a", row("retention.days"), "b wrote the value it had applied back over a newer one");
        nb.apply();
        assertEquals("7", b.value("retention.days"));
        b.with(PID, "retention.days", "8"); // a change made on b itself is written
        nb.changed(PID);
        assertEquals("8 1.0 b", row("retention.days"));
        await(() -> "8".equals(a.value("retention.days")), "8 on a");
    }

    @Test
    void aChangeMadeWhileItsWriteFailedIsWrittenAtTheNextPassNotUndone() throws Exception {
        Config b = new Config().with(PID, "retention.days", "30");
        SharedSettings nb = new SharedSettings(ds, b, SHARED, "b", "1.0", () -> true, Duration.ofHours(1));
        nb.apply();
        try (Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement()) {
            st.execute("ALTER TABLE cluster.settings RENAME TO settings_away"); // the write fails as if the database were gone
        }
        b.with(PID, "retention.days", "12");
        nb.changed(PID);
        try (Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement()) {
            st.execute("ALTER TABLE cluster.settings_away RENAME TO settings");
        }
        nb.apply(); // the database answers again
        assertEquals("12", b.value("retention.days"), "the table's older value undid the change");
        assertEquals("12 1.0 b", row("retention.days"));
    }

    @Test
    void aChangeOnOneNodeIsAppliedOnTheOthersAtOnceAndSoIsAnUnset() throws Exception {
        Config a = new Config().with(PID, "retention.days", "30");
        Config b = new Config();
        SharedSettings na = node("a", "1.0", true, a);
        node("b", "1.0", true, b);
        assertEquals("30", b.value("retention.days"));

        a.with(PID, "retention.days", "14");
        na.changed(PID);
        long took = await(() -> "14".equals(b.value("retention.days")), "the change on b");
        assertTrue(took < 1000, "applied after " + took + " ms");
        assertEquals("14 1.0 a", row("retention.days"));

        a.set(PID, java.util.Collections.singletonMap("retention.days", null));
        na.changed(PID);
        await(() -> b.value("retention.days") == null, "the unset on b");
        na.changed("org.portcullis.milter"); // not a shared PID: nothing happens
        assertEquals("(unset) 1.0 a", row("retention.days"));
    }

    @Test
    void aNodeOnAnotherVersionNeitherAppliesNorWrites() throws Exception {
        Config a = new Config().with(PID, "retention.days", "30");
        node("a", "1.0", true, a);
        Config old = new Config().with(PID, "retention.days", "99");
        SharedSettings o = node("old", "0.9", false, old);
        assertEquals("99", old.value("retention.days"), "a setting written by version 1.0 applied on 0.9");
        old.with(PID, "retention.days", "98");
        o.changed(PID);
        assertEquals("30 1.0 a", row("retention.days"), "a node on another version wrote a cluster setting");
    }

    @Test
    void aNodeOfANewVersionMakesItsValuesTheClustersOnceTheClusterRunsIt() throws Exception {
        node("a", "1.0", true, new Config().with(PID, "retention.days", "30"));
        Config updated = new Config().with(PID, "retention.days", "45");
        node("b", "2.0", true, updated);
        assertEquals("45 2.0 b", row("retention.days"), "rows of the version before are replaced by the updated node's");
        assertEquals("45", updated.value("retention.days"));
    }

    @Test
    void aSharedSettingsListThatIsNotPidSlashKeyIsRefusedNamingTheEntry() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SharedSettings.parse("org.portcullis.milter/spam.tag.score, retention.days"));
        assertEquals("org.portcullis.cluster: shared.settings entry 'retention.days' is not PID/key (e.g. org.portcullis.milter/spam.tag.score)",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SharedSettings.parse("a/b/c"));
        assertThrows(IllegalArgumentException.class, () -> SharedSettings.parse("a/"));
        // a PID that a filter reads specially would match other PIDs' configurations (their passwords among them)
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SharedSettings.parse("*/password")).getMessage()
                .contains("entry '*/password': a PID and a key are letters, digits and . _ -"));
        assertThrows(IllegalArgumentException.class, () -> SharedSettings.parse("org.portcullis.milter)(service.pid=x/spam.tag.score"));
        assertFalse(SharedSettings.parse("org.portcullis.scanner.example~one/timeout.seconds").isEmpty(), "a factory PID");
        assertEquals("org.portcullis.cluster: shared.settings entry 'org.portcullis.storage/password': the keys of org.portcullis.storage are "
                + "this node's own (its database, its place in the cluster) and cannot be shared",
                assertThrows(IllegalArgumentException.class, () -> SharedSettings.parse("org.portcullis.storage/password")).getMessage());
        assertFalse(SharedSettings.parse(ClusterConfig.SHARED).isEmpty());
    }
}
