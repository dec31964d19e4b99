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

    /** PIDs whose keys are never shared: where a node's database is and how it takes part. */
    static final Set<String> PER_NODE = Set.of("org.portcullis.storage", "org.portcullis.cluster");

    /** How an unset key is remembered in {@link #synced}. */
    private static final String UNSET = "\u0000unset";
    private static final Logger LOG = LoggerFactory.getLogger(SharedSettings.class);

    /** This node's configuration, by PID: what {@code ConfigurationAdmin} holds. */
    public interface LocalConfig {
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
    /** What this node and the table last agreed on, by PID and key ({@link #UNSET} for unset); also the lock of both directions. */
    private final Map<String, Map<String, String>> synced = new HashMap<>();

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
    /** What a PID (Karaf's factory PIDs have one {@code ~}) and a key may be: nothing a filter or a file name reads specially. */
    private static final java.util.regex.Pattern PID = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(~[A-Za-z0-9._-]+)?");
    private static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

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
            String pid = entry.substring(0, slash);
            if (!PID.matcher(pid).matches() || !KEY.matcher(entry.substring(slash + 1)).matches()) {
                throw new IllegalArgumentException("org.portcullis.cluster: shared.settings entry '" + entry
                        + "': a PID and a key are letters, digits and . _ - (a factory PID may have one ~)");
            }
            if (PER_NODE.contains(pid)) {
                throw new IllegalArgumentException("org.portcullis.cluster: shared.settings entry '" + entry + "': the keys of " + pid
                        + " are this node's own (its database, its place in the cluster) and cannot be shared");
            }
            out.computeIfAbsent(pid, p -> new TreeSet<>()).add(entry.substring(slash + 1));
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

    /**
     * Brings this node and the table together (ChangeListener's reload: at start, on every
     * notification, on the poll). For each shared key, against the value both last agreed on
     * ({@link #synced}): a table that moved is applied here, unless this node has a change of its
     * own not yet written (that one is kept and goes to the table); a local change a failed write
     * left behind is written now. The event of this node's own apply finds nothing moved, so a
     * value it applied is never written back over a newer one. At the first pass the table wins, and a key it
     * lacks is seeded from this node when this node has a value for it.
     */
    void apply() {
        synchronized (synced) {
            Map<String, Map<String, String>> table;
            try {
                table = read();
            } catch (SQLException e) {
                LOG.warn("Cluster settings not read: {}; this node keeps its own until the database answers", e.getMessage());
                return;
            }
            for (Map.Entry<String, Set<String>> pid : shared.entrySet()) {
                try {
                    reconcile(pid.getKey(), pid.getValue(), table.getOrDefault(pid.getKey(), Map.of()));
                } catch (Exception e) {
                    LOG.warn("Cluster settings for {} not applied: {}", pid.getKey(), e.getMessage());
                }
            }
        }
    }

    /** One PID: what the table has ({@code inTable}: key → value, null for unset; a key absent: no row of this version). */
    private void reconcile(String pid, Set<String> keys, Map<String, String> inTable) throws Exception {
        Map<String, String> mine = local.get(pid);
        Map<String, String> agreed = synced.computeIfAbsent(pid, p -> new HashMap<>());
        Map<String, String> toApply = new LinkedHashMap<>();
        Map<String, String> toWrite = new LinkedHashMap<>();
        for (String key : keys) {
            String here = mine.get(key);
            String last = agreed.get(key); // null: never agreed (the first pass)
            boolean rowThere = inTable.containsKey(key);
            String there = inTable.get(key);
            if (last == null) {
                if (rowThere) {
                    toApply.put(key, there); // at start the table wins
                } else if (here != null && current.get()) {
                    toWrite.put(key, here); // seeded from the first node that has a value for it
                }
                continue;
            }
            boolean localMoved = !Objects.equals(here, unmark(last));
            boolean tableMoved = rowThere && !Objects.equals(there, unmark(last));
            if (localMoved && current.get()) {
                toWrite.put(key, here); // a change here not yet in the table is kept and written
            } else if (tableMoved && !localMoved) {
                toApply.put(key, there);
            }
        }
        if (!toWrite.isEmpty() && write(pid, toWrite)) {
            toWrite.forEach((k, v) -> agreed.put(k, mark(v)));
        }
        if (!toApply.isEmpty()) {
            Map<String, String> changes = new LinkedHashMap<>();
            toApply.forEach((k, v) -> {
                if (!Objects.equals(mine.get(k), v)) {
                    changes.put(k, v);
                }
            });
            if (!changes.isEmpty()) {
                local.set(pid, changes);
                LOG.info("Cluster settings applied to {}: {}", pid, changes.keySet());
            }
            toApply.forEach((k, v) -> agreed.put(k, mark(v)));
        }
        for (String key : keys) {
            if (!agreed.containsKey(key) && !inTable.containsKey(key) && mine.get(key) == null) {
                agreed.put(key, UNSET); // unset here and nowhere in the table: agreed as unset
            }
        }
    }

    /** This node's configuration of {@code pid} changed (its ConfigurationListener): what moved goes to the table. */
    void changed(String pid) {
        if (!shared.containsKey(pid)) {
            return;
        }
        synchronized (synced) {
            if (!synced.containsKey(pid)) {
                return; // before the first pass: it decides
            }
            try {
                Map<String, String> mine = local.get(pid);
                Map<String, String> agreed = synced.get(pid);
                Map<String, String> moved = new LinkedHashMap<>();
                for (String key : shared.get(pid)) {
                    if (agreed.containsKey(key) && !Objects.equals(mine.get(key), unmark(agreed.get(key)))) {
                        moved.put(key, mine.get(key));
                    }
                }
                if (!moved.isEmpty() && current.get() && write(pid, moved)) {
                    moved.forEach((k, v) -> agreed.put(k, mark(v)));
                }
            } catch (Exception e) {
                LOG.warn("Cluster settings of {} not written: {}; written when the database answers again", pid, e.getMessage());
            }
        }
    }

    /** Writes these keys of {@code pid} (a null value: unset) as this node's; false when the database refused (it is tried again). */
    private boolean write(String pid, Map<String, String> values) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO cluster.settings (pid, key, value, version, node_id) VALUES (?, ?, ?, ?, ?) "
                        + "ON CONFLICT (pid, key) DO UPDATE SET value = EXCLUDED.value, version = EXCLUDED.version, node_id = EXCLUDED.node_id, "
                        + "changed_at = clock_timestamp()")) {
            for (Map.Entry<String, String> kv : values.entrySet()) {
                ps.setString(1, pid);
                ps.setString(2, kv.getKey());
                ps.setString(3, kv.getValue());
                ps.setString(4, version);
                ps.setString(5, nodeId);
                ps.addBatch();
            }
            ps.executeBatch();
            LOG.info("Cluster settings of {} from this node: {}", pid, values.keySet());
            return true;
        } catch (SQLException e) {
            LOG.warn("Cluster settings of {} not written: {}; written when the database answers again", pid, e.getMessage());
            return false;
        }
    }

    private static String mark(String value) {
        return value == null ? UNSET : value;
    }

    private static String unmark(String value) {
        return UNSET.equals(value) ? null : value;
    }
}
