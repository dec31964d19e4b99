package org.portcullis.backup.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import org.portcullis.backup.BackupParticipant;
import org.portcullis.storage.MigrationScripts;
import org.postgresql.PGConnection;

/**
 * The data of every schema a Portcullis bundle owns — every schema recorded in
 * {@code storage.schema_history}, so a new bundle's tables are in without any change here —
 * from one read-only snapshot, each table streamed with {@code COPY … TO STDOUT (FORMAT binary)}.
 * Parts: {@code schemas} (each schema and its version), {@code <schema>.<table>} with every
 * table after the tables its foreign keys point to (so a restore can load them in file order),
 * and {@code sequences} (each sequence and its value).
 */
final class DatabaseParticipant implements BackupParticipant {

    static final String SCHEMAS = "schemas";
    static final String SEQUENCES = "sequences";

    private final DataSource ds;

    DatabaseParticipant(DataSource ds) {
        this.ds = ds;
    }

    @Override
    public String name() {
        return "database";
    }

    @Override
    public void backup(Output out) throws IOException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                List<String[]> schemas = schemas(c);
                try (OutputStream o = out.part(SCHEMAS)) {
                    for (String[] s : schemas) {
                        o.write((s[0] + " " + s[1] + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                }
                List<String> names = schemas.stream().map(s -> s[0]).toList();
                for (String[] t : tablesInLoadOrder(c, names)) {
                    try (OutputStream o = out.part(t[0] + "." + t[1])) {
                        c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY " + qualified(t[0], t[1]) + " TO STDOUT (FORMAT binary)", o);
                    }
                }
                try (OutputStream o = out.part(SEQUENCES)) {
                    for (String[] s : sequences(c, names)) {
                        o.write((s[0] + " " + s[1] + " " + s[2] + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                }
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new IOException("database: " + firstLine(e), e);
        }
    }

    /** Each recorded schema and its version, by name; not those whose comment says they are live state ({@link MigrationScripts#NOT_BACKED_UP}). */
    static List<String[]> schemas(Connection c) throws SQLException {
        return query(c, "SELECT schema_name, max(version)::text FROM storage.schema_history h "
                + "WHERE coalesce(obj_description(to_regnamespace(h.schema_name), 'pg_namespace'), '') NOT LIKE '"
                + MigrationScripts.NOT_BACKED_UP + "%' GROUP BY 1 ORDER BY 1");
    }

    /**
     * The tables of {@code schemas} as {schema, table}, each after every table its foreign keys
     * reference (cycles, which a Portcullis schema does not have, keep name order).
     */
    static List<String[]> tablesInLoadOrder(Connection c, List<String> schemas) throws SQLException {
        String[] array = schemas.toArray(String[]::new);
        Map<String, String[]> tables = new LinkedHashMap<>();
        Map<String, Set<String>> needs = new LinkedHashMap<>();
        try (PreparedStatement st = c.prepareStatement(
                "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY (?) ORDER BY 1, 2")) {
            st.setArray(1, c.createArrayOf("text", array));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    String[] t = {rs.getString(1), rs.getString(2)};
                    tables.put(t[0] + "." + t[1], t);
                    needs.put(t[0] + "." + t[1], new LinkedHashSet<>());
                }
            }
        }
        try (PreparedStatement st = c.prepareStatement("SELECT fn.nspname || '.' || f.relname, tn.nspname || '.' || t.relname "
                + "FROM pg_constraint k JOIN pg_class f ON f.oid = k.conrelid JOIN pg_namespace fn ON fn.oid = f.relnamespace "
                + "JOIN pg_class t ON t.oid = k.confrelid JOIN pg_namespace tn ON tn.oid = t.relnamespace "
                + "WHERE k.contype = 'f' AND fn.nspname = ANY (?)")) {
            st.setArray(1, c.createArrayOf("text", array));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Set<String> n = needs.get(rs.getString(1));
                    if (n != null && !rs.getString(1).equals(rs.getString(2))) {
                        n.add(rs.getString(2));
                    }
                }
            }
        }
        List<String[]> ordered = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>();
        while (placed.size() < tables.size()) {
            boolean progress = false;
            for (Map.Entry<String, Set<String>> e : needs.entrySet()) {
                if (!placed.contains(e.getKey()) && (placed.containsAll(e.getValue()) || !tables.keySet().containsAll(e.getValue()))) {
                    placed.add(e.getKey());
                    ordered.add(tables.get(e.getKey()));
                    progress = true;
                }
            }
            if (!progress) {
                needs.keySet().stream().filter(k -> !placed.contains(k)).findFirst().ifPresent(k -> {
                    placed.add(k);
                    ordered.add(tables.get(k));
                });
            }
        }
        return ordered;
    }

    /** Each sequence of {@code schemas} as {schema.sequence, value, is_called}. */
    static List<String[]> sequences(Connection c, List<String> schemas) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT schemaname, sequencename FROM pg_sequences WHERE schemaname = ANY (?) "
                + "ORDER BY 1, 2")) {
            st.setArray(1, c.createArrayOf("text", schemas.toArray(String[]::new)));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    String q = qualified(rs.getString(1), rs.getString(2));
                    for (String[] v : query(c, "SELECT last_value::text, is_called::text FROM " + q)) {
                        out.add(new String[] {rs.getString(1) + "." + rs.getString(2), v[0], v[1]});
                    }
                }
            }
        }
        return out;
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    static String qualified(String schema, String name) {
        return quote(schema) + "." + quote(name);
    }

    static String firstLine(SQLException e) {
        return String.valueOf(e.getMessage()).lines().findFirst().orElse("error");
    }

    static List<String[]> query(Connection c, String sql) throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                String[] row = new String[n];
                for (int i = 0; i < n; i++) {
                    row[i] = rs.getString(i + 1);
                }
                rows.add(row);
            }
        }
        return rows;
    }
}
