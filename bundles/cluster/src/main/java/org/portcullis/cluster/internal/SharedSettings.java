package org.portcullis.cluster.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.portcullis.storage.ChangeListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster-wide settings: the shared keys of some configuration PIDs live in
 * {@code cluster.settings} and are applied to every node's configuration. A change on any node
 * (through the shell, REST, or an edit of its {@code etc/} file) is written to the table; the
 * table's trigger wakes every node ({@code LISTEN}), which re-reads it and applies what differs;
 * a full re-read every {@code poll} is the safety net. A node applies only rows written by a node
 * of its own version, and writes only while it runs the cluster's version. At start the table
 * wins over the node's own files; a shared key the table does not have yet is seeded from them.
 */
final class SharedSettings implements AutoCloseable {

    static final String CHANNEL = "portcullis_cluster_settings";
    private static final Logger LOG = LoggerFactory.getLogger(SharedSettings.class);

    /** This node's configuration, by PID: what {@code ConfigurationAdmin} holds. */
    interface LocalConfig {
        /** The PID's properties as strings (empty when it has none). */
        Map<String, String> get(String pid) throws Exception;

        /** Sets these keys (a null value removes the key), leaving the PID's other keys alone. */
        void set(String pid, Map<String, String> changes) throws Exception;
    }

    private final DataSource ds;
    private final LocalConfig local;
    private final Map<String, Set<String>> shared;
    private final String nodeId;
    private final String version;
    private final Supplier<Boolean> current;
    private final Duration poll;
    private ChangeListener listener;
    private final Set<String> skippedVersions = Collections.synchronizedSet(new TreeSet<>());

    /**
     * @param shared the shared keys by PID
     * @param current whether this node runs the cluster's version (only then it writes)
     */
    SharedSettings(DataSource ds, LocalConfig local, Map<String, Set<String>> shared, String nodeId, String version, Supplier<Boolean> current,
            Duration poll) {
        this.ds = ds;
        this.local = local;
        this.shared = shared;
        this.nodeId = nodeId;
        this.version = version;
        this.current = current;
        this.poll = poll;
    }

    /** Applies the table, seeds what it lacks, then keeps listening. */
    SharedSettings start() {
        listener = new ChangeListener(ds, CHANNEL, "cluster-settings", this::apply, poll).start();
        for (String pid : shared.keySet()) {
            publish(pid, true);
        }
        return this;
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close();
        }
    }

    /**
     * Parses {@code pid/key, pid/key, …} (space or comma separated).
     *
     * @throws IllegalArgumentException naming the entry that is not {@code pid/key}
     */
    static Map<String, Set<String>> parse(String spec) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (String entry : spec.trim().split("[\\s,]+")) {
            if (entry.isEmpty()) {
                continue;
            }
            int slash = entry.indexOf('/');
            if (slash <= 0 || slash == entry.length() - 1 || entry.indexOf('/', slash + 1) >= 0) {
                throw new IllegalArgumentException("org.portcullis.cluster: shared.settings entry '" + entry
                        + "' is not PID/key (e.g. org.portcullis.milter/spam.tag.score)");
            }
            out.computeIfAbsent(entry.substring(0, slash), p -> new TreeSet<>()).add(entry.substring(slash + 1));
        }
        return out;
    }

    /** The table's rows of this node's version, by PID and key (a null value: unset). */
    private Map<String, Map<String, String>> read() throws SQLException {
        Map<String, Map<String, String>> out = new HashMap<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT pid, key, value, version FROM cluster.settings");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String pid = rs.getString(1);
                String key = rs.getString(2);
                if (!shared.getOrDefault(pid, Set.of()).contains(key)) {
                    continue; // shared by another node's configuration, not by this one's
                }
                if (!version.equals(rs.getString(4))) {
                    if (skippedVersions.add(pid + "/" + key + "@" + rs.getString(4))) {
                        LOG.warn("Cluster setting {} {} not applied: written by a node on version {}, this node runs {}", pid, key,
                                rs.getString(4), version);
                    }
                    continue;
                }
                out.computeIfAbsent(pid, p -> new HashMap<>()).put(key, rs.getString(3));
            }
        }
        return out;
    }

    /** Brings this node's configuration to the table's (ChangeListener's reload). */
    void apply() {
        Map<String, Map<String, String>> table;
        try {
            table = read();
        } catch (SQLException e) {
            LOG.warn("Cluster settings not read: {}; this node keeps its own until the database answers", e.getMessage());
            return;
        }
        for (Map.Entry<String, Map<String, String>> pid : table.entrySet()) {
            try {
                Map<String, String> mine = local.get(pid.getKey());
                Map<String, String> changes = new LinkedHashMap<>();
                for (Map.Entry<String, String> kv : pid.getValue().entrySet()) {
                    if (!Objects.equals(mine.get(kv.getKey()), kv.getValue())) {
                        changes.put(kv.getKey(), kv.getValue());
                    }
                }
                if (!changes.isEmpty()) {
                    local.set(pid.getKey(), changes);
                    LOG.info("Cluster settings applied to {}: {}", pid.getKey(), changes.keySet());
                }
            } catch (Exception e) {
                LOG.warn("Cluster settings for {} not applied: {}", pid.getKey(), e.getMessage());
            }
        }
    }

    /** This node's configuration of {@code pid} changed: its shared keys go to the table where they differ. */
    void changed(String pid) {
        if (shared.containsKey(pid)) {
            publish(pid, false);
        }
    }

    /**
     * Writes the shared keys of {@code pid} that differ from the table; {@code seedOnly}: only the
     * keys the table does not have at all (at start, where the table wins).
     */
    private void publish(String pid, boolean seedOnly) {
        if (!current.get()) {
            return; // a node on another version neither writes nor applies
        }
        try (Connection c = ds.getConnection()) {
            Map<String, String> mine = local.get(pid);
            Map<String, String[]> table = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT key, value, version FROM cluster.settings WHERE pid = ?")) {
                ps.setString(1, pid);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        table.put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3)});
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO cluster.settings (pid, key, value, version, node_id) VALUES (?, ?, ?, ?, ?) "
                    + "ON CONFLICT (pid, key) DO UPDATE SET value = EXCLUDED.value, version = EXCLUDED.version, node_id = EXCLUDED.node_id, "
                    + "changed_at = clock_timestamp()")) {
                int n = 0;
                for (String key : shared.get(pid)) {
                    String[] row = table.get(key);
                    // no row of this version yet (a new key, or the cluster was just updated): this node's value becomes the cluster's
                    boolean missing = row == null || !version.equals(row[1]);
                    boolean differs = row != null && !Objects.equals(row[0], mine.get(key));
                    if (missing || (differs && !seedOnly)) {
                        ps.setString(1, pid);
                        ps.setString(2, key);
                        ps.setString(3, mine.get(key));
                        ps.setString(4, version);
                        ps.setString(5, nodeId);
                        ps.addBatch();
                        n++;
                    }
                }
                if (n > 0) {
                    ps.executeBatch();
                    LOG.info("Cluster settings of {} {}: {} key(s) from this node", pid, seedOnly ? "seeded" : "changed", n);
                }
            }
        } catch (Exception e) {
            LOG.warn("Cluster settings of {} not written: {}; the other nodes keep theirs", pid, e.getMessage());
        }
    }
}
