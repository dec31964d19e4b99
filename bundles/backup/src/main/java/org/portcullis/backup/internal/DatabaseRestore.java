package org.portcullis.backup.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import org.portcullis.backup.BackupException;
import org.postgresql.PGConnection;

/**
 * The database half of a restore, in one transaction: the backup's schemas are checked against
 * this system's, their tables emptied and loaded from the backup's {@code COPY} streams, the
 * sequences moved forward, and nothing is visible to anyone until {@link #commit()}. Closing
 * without committing rolls everything back; so does the process dying, as PostgreSQL aborts the
 * transaction of a vanished client.
 */
final class DatabaseRestore implements AutoCloseable {

    private final Connection c;
    private final Set<String> tables = new LinkedHashSet<>();
    private final Set<String> loaded = new LinkedHashSet<>();
    private boolean committed;

    private final long lockTimeoutSeconds;

    DatabaseRestore(DataSource ds, java.time.Duration lockTimeout) throws IOException {
        this.lockTimeoutSeconds = Math.max(1, lockTimeout.toSeconds());
        try {
            c = ds.getConnection();
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL lock_timeout = '" + lockTimeoutSeconds + "s'");
            }
        } catch (SQLException e) {
            throw new IOException("database: " + DatabaseParticipant.firstLine(e), e);
        }
    }

    /**
     * Reads the backup's {@code schemas} part, refuses a schema this system lacks or has at
     * another version, then empties every table of those schemas.
     */
    void schemas(InputStream part) throws IOException {
        Map<String, String> theirs = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(part, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null;) {
                String[] f = line.split(" ");
                if (f.length != 2) {
                    throw new BackupException("backup payload is damaged (schema line '" + line + "')");
                }
                theirs.put(f[0], f[1]);
            }
        }
        try {
            Map<String, String> ours = DatabaseParticipant.schemas(c).stream().collect(Collectors.toMap(s -> s[0], s -> s[1]));
            for (Map.Entry<String, String> s : theirs.entrySet()) {
                String here = ours.get(s.getKey());
                if (here == null) {
                    throw new BackupException("the backup holds schema " + s.getKey() + ", which this system does not have: install "
                            + "the feature that owns it, then restore");
                }
                if (!here.equals(s.getValue())) {
                    throw new BackupException("the backup holds schema " + s.getKey() + " at version " + s.getValue()
                            + ", this system has version " + here + ": restore it on the version that made it");
                }
            }
            List<String> names = new ArrayList<>();
            for (String[] t : DatabaseParticipant.tablesInLoadOrder(c, List.copyOf(theirs.keySet()))) {
                tables.add(t[0] + "." + t[1]);
                names.add(DatabaseParticipant.qualified(t[0], t[1]));
            }
            if (!names.isEmpty()) {
                try (Statement st = c.createStatement()) {
                    st.execute("TRUNCATE " + String.join(", ", names));
                } catch (SQLException e) {
                    if ("55P03".equals(e.getSQLState())) {
                        throw new BackupException("the tables stayed in use by another session for " + lockTimeoutSeconds + " s (a backup "
                                + "running on another node?): nothing was changed; restore again when it is done");
                    }
                    throw e;
                }
            }
        } catch (SQLException e) {
            throw new IOException("database: " + DatabaseParticipant.firstLine(e), e);
        }
    }

    /** Loads one table ({@code schema.table}) from its binary {@code COPY} stream. */
    long table(String name, InputStream part) throws IOException {
        if (!tables.contains(name)) {
            throw new BackupException("the backup holds table " + name + ", which this system does not have");
        }
        if (!loaded.add(name)) {
            throw new BackupException("backup payload is damaged (table " + name + " twice)");
        }
        int dot = name.indexOf('.');
        try {
            return c.unwrap(PGConnection.class).getCopyAPI().copyIn(
                    "COPY " + DatabaseParticipant.qualified(name.substring(0, dot), name.substring(dot + 1)) + " FROM STDIN (FORMAT binary)",
                    part, 1 << 16);
        } catch (SQLException e) {
            throw new IOException("database, table " + name + ": " + DatabaseParticipant.firstLine(e), e);
        }
    }

    /**
     * Moves each sequence to at least its value in the backup. Never backwards: sequence changes
     * are not rolled back with the transaction, and a sequence ahead of its table is harmless.
     */
    void sequences(InputStream part) throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(part, StandardCharsets.UTF_8));
                PreparedStatement st = c.prepareStatement("SELECT setval(?::regclass, greatest(?, "
                        + "(SELECT last_value FROM pg_sequences WHERE schemaname = ? AND sequencename = ?)), true)")) {
            for (String line; (line = r.readLine()) != null;) {
                String[] f = line.split(" ");
                int dot = f[0].indexOf('.');
                if (f.length != 3 || dot < 1) {
                    throw new BackupException("backup payload is damaged (sequence line '" + line + "')");
                }
                String schema = f[0].substring(0, dot);
                String seq = f[0].substring(dot + 1);
                st.setString(1, DatabaseParticipant.qualified(schema, seq));
                st.setLong(2, Long.parseLong(f[1]));
                st.setString(3, schema);
                st.setString(4, seq);
                st.execute();
            }
        } catch (NumberFormatException e) {
            throw new BackupException("backup payload is damaged (sequence value)");
        } catch (SQLException e) {
            throw new IOException("database, sequences: " + DatabaseParticipant.firstLine(e), e);
        }
    }

    /** This transaction's id, to ask PostgreSQL after a crash whether it committed. */
    long transactionId() throws IOException {
        try {
            return Long.parseLong(DatabaseParticipant.query(c, "SELECT txid_current()::text").get(0)[0]);
        } catch (SQLException e) {
            throw new IOException("database: " + DatabaseParticipant.firstLine(e), e);
        }
    }

    void commit() throws IOException {
        try {
            c.commit();
            committed = true;
        } catch (SQLException e) {
            throw new IOException("database, commit: " + DatabaseParticipant.firstLine(e), e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (!committed) {
                c.rollback();
            }
        } catch (SQLException e) {
            // the connection is going away: PostgreSQL aborts the transaction itself
        } finally {
            try {
                c.close();
            } catch (SQLException e) {
                // nothing more to undo
            }
        }
    }
}
