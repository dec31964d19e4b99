package org.portcullis.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.portcullis.storage.ChecksumMismatchException;
import org.portcullis.storage.Migration;
import org.portcullis.storage.MigrationException;
import org.portcullis.storage.MigrationLockException;

/** The migration runner against a real PostgreSQL. */
class MigrationRunnerTest {

    private final DataSource ds = TestDatabase.get();
    private final MigrationRunner runner = new MigrationRunner(ds, Duration.ofSeconds(30), "test-node");

    private static final Migration V1 = Migration.of("V1__create_entries.sql",
            "CREATE TABLE entries (id serial PRIMARY KEY, pattern text NOT NULL);\n"
                    + "INSERT INTO entries (pattern) VALUES ('seed');");
    private static final Migration V2 = Migration.of("V2__add_comment.sql",
            "ALTER TABLE entries ADD COLUMN comment text NOT NULL DEFAULT '';");
    private static final Migration V3 = Migration.of("V3__index_pattern.sql",
            "CREATE INDEX entries_pattern ON entries (pattern);");

    @Test
    void appliesMigrationsInVersionOrderWhateverTheListOrder() throws Exception {
        String schema = TestDatabase.freshSchema("order");
        // V2 alters the table V1 creates: applied out of order it would fail.
        assertEquals(3, runner.migrate(schema, List.of(V3, V2, V1)));
        assertEquals(List.of(1, 2, 3), appliedVersions(schema));
        assertEquals(1, count(schema + ".entries"));
        assertTrue(columnExists(schema, "entries", "comment"));
    }

    @Test
    void secondRunAppliesNothingAgain() throws Exception {
        String schema = TestDatabase.freshSchema("twice");
        runner.migrate(schema, List.of(V1, V2));
        assertEquals(2, runner.migrate(schema, List.of(V1, V2)));
        // V1 inserts a row: run again it would insert a second one (or fail on CREATE TABLE).
        assertEquals(1, count(schema + ".entries"));
        assertEquals(List.of(1, 2), appliedVersions(schema));
    }

    @Test
    void newMigrationIsAppliedOnTopOfEarlierOnes() throws Exception {
        String schema = TestDatabase.freshSchema("upgrade");
        assertEquals(1, runner.migrate(schema, List.of(V1)));
        assertEquals(3, runner.migrate(schema, List.of(V1, V2, V3)));
        assertEquals(List.of(1, 2, 3), appliedVersions(schema));
    }

    @Test
    void editedMigrationIsRefusedByNameAndNothingMoreIsApplied() throws Exception {
        String schema = TestDatabase.freshSchema("edited");
        runner.migrate(schema, List.of(V1));
        Migration edited = Migration.of("V1__create_entries.sql",
                "CREATE TABLE entries (id bigserial PRIMARY KEY, pattern text NOT NULL);");
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class,
                () -> runner.migrate(schema, List.of(edited, V2)));
        assertTrue(e.getMessage().contains("V1__create_entries.sql"), e.getMessage());
        assertTrue(e.getMessage().contains(schema), e.getMessage());
        assertEquals(List.of(1), appliedVersions(schema));
        assertFalse(columnExists(schema, "entries", "comment"));
    }

    @Test
    void lineEndingsDoNotCountAsAnEdit() throws Exception {
        String schema = TestDatabase.freshSchema("crlf");
        runner.migrate(schema, List.of(V1));
        Migration crlf = Migration.of("V1__create_entries.sql", V1.script().replace("\n", "\r\n"));
        assertEquals(1, runner.migrate(schema, List.of(crlf)));
    }

    @Test
    void failingMigrationIsRolledBackAndNamed() throws Exception {
        String schema = TestDatabase.freshSchema("broken");
        Migration broken = Migration.of("V2__broken.sql",
                "CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;");
        MigrationException e = assertThrows(MigrationException.class,
                () -> runner.migrate(schema, List.of(V1, broken)));
        assertTrue(e.getMessage().contains("V2__broken.sql"), e.getMessage());
        assertTrue(e.getMessage().contains("rolled back"), e.getMessage());
        assertEquals(List.of(1), appliedVersions(schema));
        assertFalse(tableExists(schema, "half_done"));
        // The fixed script is applied on the next run.
        assertEquals(2, runner.migrate(schema, List.of(V1, Migration.of("V2__broken.sql", "CREATE TABLE half_done (id int);"))));
    }

    @Test
    void databaseNewerThanTheBundleIsRefused() throws Exception {
        String schema = TestDatabase.freshSchema("newer");
        runner.migrate(schema, List.of(V1, V2));
        MigrationException e = assertThrows(MigrationException.class, () -> runner.migrate(schema, List.of(V1)));
        assertTrue(e.getMessage().contains("newer than the bundle"), e.getMessage());
    }

    @Test
    void gapFilledBelowTheAppliedVersionIsRefused() throws Exception {
        String schema = TestDatabase.freshSchema("gap");
        runner.migrate(schema, List.of(V1, V3));
        MigrationException e = assertThrows(MigrationException.class, () -> runner.migrate(schema, List.of(V1, V2, V3)));
        assertTrue(e.getMessage().contains("V2__add_comment.sql"), e.getMessage());
    }

    @Test
    void duplicateVersionsAndBadSchemaNamesAreRefusedBeforeTouchingTheDatabase() {
        Migration otherV1 = Migration.of("V1__something_else.sql", "SELECT 1;");
        assertThrows(MigrationException.class, () -> runner.migrate("dup", List.of(V1, otherV1)));
        for (String bad : new String[] {"Lists", "lists; DROP TABLE x", "1lists", "pg_catalog", "", null}) {
            assertThrows(MigrationException.class, () -> runner.migrate(bad, List.of(V1)), String.valueOf(bad));
        }
    }

    @Test
    void twoNodesMigratingAtOnceApplyEachMigrationOnce() throws Exception {
        String schema = TestDatabase.freshSchema("race");
        Migration slow = Migration.of("V1__slow.sql",
                "SELECT pg_sleep(1);\nCREATE TABLE marker (id int);\nINSERT INTO marker VALUES (1);");
        MigrationRunner nodeA = new MigrationRunner(ds, Duration.ofSeconds(30), "node-a");
        MigrationRunner nodeB = new MigrationRunner(ds, Duration.ofSeconds(30), "node-b");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Callable<Integer>> both = List.of(() -> nodeA.migrate(schema, List.of(slow)),
                    () -> nodeB.migrate(schema, List.of(slow)));
            List<Integer> results = new ArrayList<>();
            for (Future<Integer> f : pool.invokeAll(both)) {
                results.add(f.get());
            }
            assertEquals(List.of(1, 1), results);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, count(schema + ".marker"));
        assertEquals(List.of(1), appliedVersions(schema));
    }

    @Test
    void lockHeldTooLongGivesUpWithoutApplying() throws Exception {
        String schema = TestDatabase.freshSchema("locked");
        MigrationRunner impatient = new MigrationRunner(ds, Duration.ofMillis(600), "node-b");
        try (Connection holder = ds.getConnection(); PreparedStatement ps = holder.prepareStatement("SELECT pg_advisory_lock(?)")) {
            ps.setLong(1, MigrationRunner.LOCK_KEY);
            ps.execute();
            MigrationLockException e = assertThrows(MigrationLockException.class,
                    () -> impatient.migrate(schema, List.of(V1)));
            assertTrue(e.getMessage().contains(schema), e.getMessage());
        }
        assertFalse(tableExists(schema, "entries"));
        assertEquals(1, runner.migrate(schema, List.of(V1)));
    }

    @Test
    void historyRecordsWhoAppliedWhat() throws Exception {
        String schema = TestDatabase.freshSchema("history");
        runner.migrate(schema, List.of(V1));
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT description, checksum, applied_by FROM storage.schema_history WHERE schema_name = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals("create entries", rs.getString(1));
                assertEquals(V1.checksum(), rs.getString(2));
                assertEquals("test-node", rs.getString(3));
            }
        }
        assertTrue(SchemaHistory.versions(ds.getConnection()).stream()
                .anyMatch(v -> v.schema().equals(schema) && v.version() == 1));
    }

    /** The update's commit point: both schemas' migrations and the product version, or nothing. */
    @Test
    void migrationsOfSeveralSchemasAndTheProductVersionCommitTogether() throws Exception {
        String a = TestDatabase.freshSchema("togethera");
        String b = TestDatabase.freshSchema("togetherb");
        runner.migrate(a, List.of(V1));
        String from = productVersion();
        String to = from + "-next";
        var versions = runner.migrateTogether(java.util.Map.of(a, List.of(V1, V2), b, List.of(V1, V2, V3)), c -> ProductVersionRow.change(c, from, to));
        assertEquals(java.util.Map.of(a, 2, b, 3), versions);
        assertTrue(columnExists(a, "entries", "comment"));
        assertEquals(List.of(1, 2, 3), appliedVersions(b));
        assertEquals(to, productVersion());
        // the bundles' own start-up migration then finds nothing left to do
        assertEquals(3, runner.migrate(b, List.of(V1, V2, V3)));
        assertEquals(1, count(b + ".entries"));
    }

    @Test
    void aFailureAnywhereLeavesEverySchemaAndTheProductVersionAsTheyWere() throws Exception {
        String a = TestDatabase.freshSchema("rollbacka");
        String b = TestDatabase.freshSchema("rollbackb");
        runner.migrate(a, List.of(V1));
        String from = productVersion();
        Migration broken = Migration.of("V2__broken.sql", "ALTER TABLE no_such_table ADD COLUMN x int;");
        MigrationException e = assertThrows(MigrationException.class, () -> runner.migrateTogether(
                java.util.Map.of(a, List.of(V1, V2), b, List.of(V1, broken)), c -> ProductVersionRow.change(c, from, "never")));
        assertTrue(e.getMessage().contains("V2__broken.sql failed and was rolled back"), e.getMessage());
        assertFalse(columnExists(a, "entries", "comment"), "schema a's V2 was in the same transaction");
        assertEquals(List.of(1), appliedVersions(a));
        assertFalse(tableExists(b, "entries"));
        assertEquals(from, productVersion());

        // a product version that is not the update's from-version: nothing applied either
        e = assertThrows(MigrationException.class, () -> runner.migrateTogether(java.util.Map.of(a, List.of(V1, V2)),
                c -> ProductVersionRow.change(c, "0.0.1-elsewhere", "never")));
        assertEquals("the database is at product version " + from + ", not 0.0.1-elsewhere, the update's from-version", e.getMessage());
        assertFalse(columnExists(a, "entries", "comment"));

        // an edited migration in one schema: refused before anything runs in the other
        Migration editedV1 = Migration.of("V1__create_entries.sql", "CREATE TABLE entries (id int);");
        assertThrows(ChecksumMismatchException.class, () -> runner.migrateTogether(
                java.util.Map.of(b, List.of(V1), a, List.of(editedV1, V2)), c -> ProductVersionRow.change(c, from, "never")));
        assertFalse(tableExists(b, "entries"));
    }

    @Test
    void theProductVersionIsAdoptedOnceAndThenOnlyChangedFromWhatItIs() throws Exception {
        try (Connection c = ds.getConnection()) {
            String first = ProductVersionRow.adopt(c, "0.1.0");
            assertEquals(first, ProductVersionRow.adopt(c, "9.9.9"), "a second adoption changes nothing");
            assertEquals(java.util.Optional.of(first), ProductVersionRow.read(c));
        }
    }

    private String productVersion() throws SQLException {
        try (Connection c = ds.getConnection()) {
            return ProductVersionRow.adopt(c, "0.1.0");
        }
    }

    private List<Integer> appliedVersions(String schema) throws SQLException {
        List<Integer> versions = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT version FROM storage.schema_history WHERE schema_name = ? ORDER BY applied_at, version")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    versions.add(rs.getInt(1));
                }
            }
        }
        return versions;
    }

    private int count(String table) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private boolean tableExists(String schema, String table) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT to_regclass('" + schema + "." + table + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private boolean columnExists(String schema, String table, String column) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM information_schema.columns WHERE table_schema = ? AND table_name = ? AND column_name = ?")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            ps.setString(3, column);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
