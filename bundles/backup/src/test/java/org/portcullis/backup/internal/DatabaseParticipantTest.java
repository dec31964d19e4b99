package org.portcullis.backup.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.portcullis.storage.internal.TestDatabase;

/** Every schema in the migration history, every table, from a real PostgreSQL. */
class DatabaseParticipantTest {

    private final DataSource ds = TestDatabase.get();

    @Test
    void everyMigratedSchemaIsDumpedTableByTable() throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS storage");
            st.execute("CREATE TABLE IF NOT EXISTS storage.schema_history (schema_name text NOT NULL, version integer NOT NULL, "
                    + "description text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), "
                    + "applied_by text NOT NULL, execution_ms integer NOT NULL, PRIMARY KEY (schema_name, version))");
            st.execute("DROP SCHEMA IF EXISTS bk_test CASCADE");
            st.execute("CREATE SCHEMA bk_test");
            st.execute("CREATE TABLE bk_test.\"Odd Name\" (v text)");
            st.execute("CREATE TABLE bk_test.items (id int, name text)");
            st.execute("INSERT INTO bk_test.items SELECT g, 'item ' || g FROM generate_series(1, 1000) g");
            st.execute("DELETE FROM storage.schema_history WHERE schema_name = 'bk_test'");
            st.execute("INSERT INTO storage.schema_history VALUES ('bk_test', 1, 'x', 'c', now(), 'test', 1), ('bk_test', 2, 'y', 'c', now(), 'test', 1)");
            // a schema of live state (as the cluster's) says so in its comment and stays out
            st.execute("DROP SCHEMA IF EXISTS bk_live CASCADE");
            st.execute("CREATE SCHEMA bk_live");
            st.execute("CREATE TABLE bk_live.lease (holder text)");
            st.execute("COMMENT ON SCHEMA bk_live IS '" + org.portcullis.storage.MigrationScripts.NOT_BACKED_UP + " (test)'");
            st.execute("DELETE FROM storage.schema_history WHERE schema_name = 'bk_live'");
            st.execute("INSERT INTO storage.schema_history VALUES ('bk_live', 1, 'x', 'c', now(), 'test', 1)");
        }
        Map<String, byte[]> parts = new LinkedHashMap<>();
        new DatabaseParticipant(ds).backup(name -> new ByteArrayOutputStream() {
            @Override
            public void close() throws IOException {
                parts.put(name, toByteArray());
            }
        });
        assertTrue(new String(parts.get("schemas"), StandardCharsets.UTF_8).contains("bk_test 2\n"), new String(parts.get("schemas")));
        assertTrue(parts.containsKey("bk_test.Odd Name"), parts.keySet().toString());
        assertFalse(new String(parts.get("schemas"), StandardCharsets.UTF_8).contains("bk_live"), "a live-state schema was backed up");
        assertFalse(parts.containsKey("bk_live.lease"), parts.keySet().toString());
        byte[] items = parts.get("bk_test.items");
        assertEquals("PGCOPY\n", new String(items, 0, 7, StandardCharsets.US_ASCII), "binary COPY output");
        assertTrue(items.length > 1000 * 10, "every row is there: " + items.length + " bytes");
    }
}
