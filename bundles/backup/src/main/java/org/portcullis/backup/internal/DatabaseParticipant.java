package org.portcullis.backup.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.portcullis.backup.BackupParticipant;
import org.postgresql.PGConnection;

/**
 * The data of every schema a Portcullis bundle owns — every schema recorded in
 * {@code storage.schema_history}, so a new bundle's tables are in without any change here —
 * from one read-only snapshot, each table streamed with {@code COPY … TO STDOUT (FORMAT binary)}.
 * Parts: {@code schemas} (each schema and its version) and {@code <schema>.<table>}.
 */
final class DatabaseParticipant implements BackupParticipant {

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
                List<String[]> schemas = query(c, "SELECT schema_name, max(version)::text FROM storage.schema_history GROUP BY 1 ORDER BY 1");
                try (OutputStream o = out.part("schemas")) {
                    for (String[] s : schemas) {
                        o.write((s[0] + " " + s[1] + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                }
                for (String[] s : schemas) {
                    for (String[] t : query(c, "SELECT tablename FROM pg_tables WHERE schemaname = '" + s[0].replace("'", "''")
                            + "' ORDER BY tablename")) {
                        String table = quote(s[0]) + "." + quote(t[0]);
                        try (OutputStream o = out.part(s[0] + "." + t[0])) {
                            c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY " + table + " TO STDOUT (FORMAT binary)", o);
                        }
                    }
                }
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new IOException("database: " + e.getMessage().lines().findFirst().orElse("error"), e);
        }
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static List<String[]> query(Connection c, String sql) throws SQLException {
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
