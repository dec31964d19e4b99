package org.portcullis.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * Fills schema {@code bench_bulk} of a Portcullis database with rows until its table holds at
 * least the given number of bytes, and records the schema in {@code storage.schema_history} as a
 * bundle's migration would, so backups include it. Rows: a bigint key and 256 characters of
 * hexadecimal text (not compressible by TOAST at that length).
 *
 * <pre>java … BulkTable jdbc:postgresql://127.0.0.1:25432/portcullis PASSWORD 1200000000</pre>
 */
public final class BulkTable {

    private BulkTable() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 3 && args[3].equals("copy-floor")) {
            copyFloor(args);
            return;
        }
        long target = Long.parseLong(args[2]);
        try (Connection c = DriverManager.getConnection(args[0], "postgres", args[1]); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS bench_bulk CASCADE");
            st.execute("DELETE FROM storage.schema_history WHERE schema_name = 'bench_bulk'");
            st.execute("CREATE SCHEMA bench_bulk");
            st.execute("CREATE TABLE bench_bulk.rows (id bigint PRIMARY KEY, payload text NOT NULL)");
            long rows = 0;
            long size = 0;
            long start = System.nanoTime();
            while (size < target) {
                st.execute("INSERT INTO bench_bulk.rows SELECT g, repeat(md5(g::text), 8) FROM generate_series(" + (rows + 1) + ", "
                        + (rows + 500_000) + ") g");
                rows += 500_000;
                try (ResultSet rs = st.executeQuery("SELECT pg_table_size('bench_bulk.rows')")) {
                    rs.next();
                    size = rs.getLong(1);
                }
            }
            st.execute("INSERT INTO storage.schema_history (schema_name, version, description, checksum, applied_by, execution_ms) "
                    + "VALUES ('bench_bulk', 1, 'bench', 'none', 'bench', 0)");
            System.out.printf("bench_bulk.rows: %d rows, %.1f MiB of table (%.1f MiB with its index), made in %.1f s%n", rows,
                    size / 1048576.0, total(st) / 1048576.0, (System.nanoTime() - start) / 1e9);
        }
    }

    /** The floor a backup cannot beat: the same binary COPY out of PostgreSQL into nothing. */
    private static void copyFloor(String[] args) throws Exception {
        try (Connection c = DriverManager.getConnection(args[0], "postgres", args[1])) {
            long start = System.nanoTime();
            long[] bytes = {0};
            c.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyOut("COPY bench_bulk.rows TO STDOUT (FORMAT binary)",
                    new java.io.OutputStream() {
                        @Override
                        public void write(int b) {
                            bytes[0]++;
                        }

                        @Override
                        public void write(byte[] b, int off, int len) {
                            bytes[0] += len;
                        }
                    });
            double s = (System.nanoTime() - start) / 1e9;
            System.out.printf("COPY bench_bulk.rows TO STDOUT (FORMAT binary) into nothing: %.1f s, %.0f MiB/s%n", s,
                    bytes[0] / 1048576.0 / s);
            // and back in, as a restore loads it: TRUNCATE and COPY FROM in one transaction (rolled back)
            java.nio.file.Path file = java.nio.file.Files.createTempFile("bulk", ".copy");
            try {
                try (var out = new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(file), 1 << 16)) {
                    c.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyOut("COPY bench_bulk.rows TO STDOUT (FORMAT binary)", out);
                }
                c.setAutoCommit(false);
                start = System.nanoTime();
                try (Statement st = c.createStatement(); var in = java.nio.file.Files.newInputStream(file)) {
                    st.execute("TRUNCATE bench_bulk.rows");
                    c.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyIn("COPY bench_bulk.rows FROM STDIN (FORMAT binary)", in,
                            1 << 16);
                }
                s = (System.nanoTime() - start) / 1e9;
                c.rollback();
                System.out.printf("TRUNCATE + COPY bench_bulk.rows FROM STDIN (FORMAT binary) from a plain file: %.1f s, %.0f MiB/s%n", s,
                        bytes[0] / 1048576.0 / s);
            } finally {
                java.nio.file.Files.deleteIfExists(file);
            }
        }
    }

    private static long total(Statement st) throws Exception {
        try (ResultSet rs = st.executeQuery("SELECT pg_total_relation_size('bench_bulk.rows')")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
