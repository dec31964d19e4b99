package org.portcullis.backup.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.portcullis.backup.BackupException;
import org.portcullis.backup.BackupHeader;
import org.portcullis.backup.BackupInfo;
import org.portcullis.backup.BackupParticipant;
import org.portcullis.backup.Progress;
import org.portcullis.core.MaintenanceMode;
import org.portcullis.core.MaintenanceState;
import org.portcullis.storage.internal.TestDatabase;

/** Restore against a real PostgreSQL: everything back, or nothing changed, and a crash finished or undone. */
class RestoreTest {

    private static final Function<BackupHeader, byte[]> KEY = h -> BackupCrypto.keyFromPassphrase("restore test passphrase".toCharArray(), h);

    private final DataSource ds = TestDatabase.get();

    @TempDir
    Path tmp;

    private Path etc;
    private Path work;
    private final Maintenance maintenance = new Maintenance();
    private final FilesParticipant files = new FilesParticipant();

    @BeforeEach
    void data() throws Exception {
        etc = Files.createDirectories(tmp.resolve("etc"));
        work = tmp.resolve("data/restore");
        sql("CREATE SCHEMA IF NOT EXISTS storage",
                "CREATE TABLE IF NOT EXISTS storage.schema_history (schema_name text NOT NULL, version integer NOT NULL, "
                        + "description text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), "
                        + "applied_by text NOT NULL, execution_ms integer NOT NULL, PRIMARY KEY (schema_name, version))",
                "DROP SCHEMA IF EXISTS rt_owners CASCADE", "DROP SCHEMA IF EXISTS rt_items CASCADE",
                "CREATE SCHEMA rt_owners", "CREATE SCHEMA rt_items",
                "CREATE TABLE rt_owners.owners (id serial PRIMARY KEY, name text NOT NULL)",
                // named so that it sorts before the table it references: the backup must still load owners first
                "CREATE TABLE rt_items.a_items (id bigserial PRIMARY KEY, owner int NOT NULL REFERENCES rt_owners.owners, v text)",
                "INSERT INTO rt_owners.owners (name) SELECT 'owner ' || g FROM generate_series(1, 10) g",
                "INSERT INTO rt_items.a_items (owner, v) SELECT 1 + g % 10, md5(g::text) FROM generate_series(1, 40000) g",
                "DELETE FROM storage.schema_history WHERE schema_name LIKE 'rt_%'",
                "INSERT INTO storage.schema_history VALUES ('rt_owners', 1, 'x', 'c', now(), 'test', 1), "
                        + "('rt_items', 3, 'y', 'c', now(), 'test', 1)");
        Files.writeString(etc.resolve("org.portcullis.milter.cfg"), "port = 1\n");
        Files.writeString(etc.resolve("org.portcullis.storage.cfg"), "url = jdbc:postgresql://here/db\n");
        files.content = "key one";
    }

    @Test
    void aRoundTripPutsEverythingBack() throws Exception {
        String data = snapshot();
        BackupInfo verified = backupAndVerify();

        sql("DELETE FROM rt_items.a_items WHERE id % 3 = 0", "UPDATE rt_owners.owners SET name = 'changed' WHERE id = 2",
                "INSERT INTO rt_items.a_items (owner, v) SELECT 1, 'new' FROM generate_series(1, 700)");
        Files.writeString(etc.resolve("org.portcullis.milter.cfg"), "port = 2\n");
        Files.writeString(etc.resolve("org.portcullis.storage.cfg"), "url = jdbc:postgresql://elsewhere/db\n");
        Files.writeString(etc.resolve("org.portcullis.later.cfg"), "a = b\n");
        files.content = "key two";
        assertNotEquals(data, snapshot());

        List<Progress> seen = new ArrayList<>();
        BackupInfo restored = restore().run(verified, KEY, "tester", seen::add);

        assertEquals(data, snapshot(), "every row of every table is back");
        assertEquals("port = 1\n", Files.readString(etc.resolve("org.portcullis.milter.cfg")), "configuration is back");
        assertEquals("url = jdbc:postgresql://elsewhere/db\n", Files.readString(etc.resolve("org.portcullis.storage.cfg")),
                "where this node's database is stays this node's");
        assertEquals("a = b\n", Files.readString(etc.resolve("org.portcullis.later.cfg")), "configuration the backup lacks is kept");
        assertEquals("key one", files.restored, "the participant got its part back");
        sql("INSERT INTO rt_items.a_items (owner, v) VALUES (1, 'after')");
        assertEquals(List.of(true, false), maintenance.changes, "maintenance on during the restore, off after");
        assertFalse(Files.exists(work), "nothing staged is left");
        assertEquals(verified.payloadBytes(), restored.payloadBytes());
        Progress last = seen.get(seen.size() - 1);
        assertEquals(verified.parts().size(), last.partsDone());
        assertEquals(verified.parts().size(), last.partsTotal());
        assertEquals(verified.payloadBytes(), last.bytesDone());
        try (var etcFiles = Files.list(etc)) {
            assertEquals(3, etcFiles.count(), "no temporary file left in etc/");
        }
    }

    @Test
    void aFileAlteredAfterVerifyingIsRefusedMidWayAndNothingChanges() throws Exception {
        BackupInfo verified = backupAndVerify();
        sql("DELETE FROM rt_items.a_items WHERE id > 4000");
        Files.writeString(etc.resolve("org.portcullis.milter.cfg"), "port = 2\n");
        String changed = snapshot();
        byte[] bytes = Files.readAllBytes(verified.file());
        bytes[bytes.length - 20] ^= 0x40;
        Files.write(verified.file(), bytes);

        assertTrue(verified.payloadBytes() > 2 * BackupFiles.SEGMENT_SIZE, "the damage is segments after the start");
        List<Progress> seen = new ArrayList<>();
        assertThrows(BackupException.class, () -> restore().run(verified, KEY, "tester", seen::add));
        assertTrue(seen.stream().anyMatch(p -> p.part().equals("database/rt_items.a_items")), "the restore got as far as the tables");

        assertEquals(changed, snapshot(), "the tables were emptied and loaded in the transaction, then rolled back");
        assertEquals("port = 2\n", Files.readString(etc.resolve("org.portcullis.milter.cfg")));
        assertEquals(null, files.restored, "the participant was not called");
        assertEquals(List.of(true, false), maintenance.changes);
        assertFalse(Files.exists(work));
    }

    @Test
    void rowsThisSystemRejectsRollEverythingBack() throws Exception {
        BackupInfo verified = backupAndVerify();
        sql("DELETE FROM rt_items.a_items WHERE owner = 10", "DELETE FROM rt_owners.owners WHERE id = 10");
        String changed = snapshot();
        sql("ALTER TABLE rt_items.a_items ADD CONSTRAINT no_owner_ten CHECK (owner <> 10)");

        IOException e = assertThrows(IOException.class, () -> restore().run(verified, KEY, "tester", p -> { }));

        assertTrue(e.getMessage().startsWith("database, table rt_items.a_items: "), e.getMessage());
        assertEquals(changed, snapshot());
        assertFalse(Files.exists(work));
        sql("ALTER TABLE rt_items.a_items DROP CONSTRAINT no_owner_ten");
    }

    @Test
    void tablesHeldByAnotherSessionMakeTheRestoreGiveUpAndChangeNothing() throws Exception {
        BackupInfo verified = backupAndVerify();
        sql("DELETE FROM rt_items.a_items WHERE id > 10");
        String changed = snapshot();
        try (Connection other = ds.getConnection()) {
            other.setAutoCommit(false);
            try (Statement st = other.createStatement()) {
                st.executeQuery("SELECT count(*) FROM rt_items.a_items").close(); // a reader, as another node's backup is
            }
            Restore patient = new Restore(ds, etc, work, maintenance, name -> name.equals("files") ? files : null, Duration.ofSeconds(1));
            assertEquals("the tables stayed in use by another session for 1 s (a backup running on another node?): nothing was changed; "
                    + "restore again when it is done", assertThrows(BackupException.class,
                            () -> patient.run(verified, KEY, "tester", p -> { })).getMessage());
            other.rollback();
        }
        assertEquals(changed, snapshot());
        assertEquals(List.of(true, false), maintenance.changes);
        assertFalse(Files.exists(work));
    }

    @Test
    void aSchemaAtAnotherVersionIsRefusedBeforeAnyTableIsTouched() throws Exception {
        BackupInfo verified = backupAndVerify();
        sql("UPDATE storage.schema_history SET version = 4 WHERE schema_name = 'rt_items'", "DELETE FROM rt_items.a_items WHERE id > 10");
        String changed = snapshot();
        assertEquals("the backup holds schema rt_items at version 3, this system has version 4: restore it on the version that made it",
                assertThrows(BackupException.class, () -> restore().run(verified, KEY, "tester", p -> { })).getMessage());
        assertEquals(changed, snapshot());
    }

    @Test
    void aBackupWithPartsOfAMissingParticipantIsRefusedBeforeAnythingChanges() throws Exception {
        BackupInfo verified = backupAndVerify();
        Restore without = new Restore(ds, etc, work, maintenance, name -> null);
        assertEquals("the backup holds parts of 'files', which this system does not have: install the feature that provides it, "
                + "then restore", assertThrows(BackupException.class, () -> without.run(verified, KEY, "tester", p -> { })).getMessage());
        assertEquals(List.of(), maintenance.changes);
    }

    @Test
    void aRestoreKilledAfterItsCommitIsFinishedAtStart() throws Exception {
        long committed = transaction(true);
        RestoreJournal journal = stageMilterConfig("port = 9\n", true, committed);
        assertEquals("finished the restore of /backups/x.pcbk that was interrupted after its database commit",
                restore().recover(Duration.ofSeconds(5)));
        assertEquals("port = 9\n", Files.readString(etc.resolve("org.portcullis.milter.cfg")));
        assertTrue(journal.read().isEmpty());
        assertFalse(Files.exists(work));
        assertEquals(List.of(), maintenance.changes, "maintenance was on before the restore, so it stays on");
    }

    @Test
    void aRestoreKilledBeforeItsCommitIsUndoneAtStart() throws Exception {
        long aborted = transaction(false);
        maintenance.state = true;
        stageMilterConfig("port = 9\n", false, aborted);
        assertEquals("undid the restore of /backups/x.pcbk that was interrupted before its database commit: nothing changed",
                restore().recover(Duration.ofSeconds(5)));
        assertEquals("port = 1\n", Files.readString(etc.resolve("org.portcullis.milter.cfg")));
        assertFalse(Files.exists(work));
        assertEquals(List.of(false), maintenance.changes, "maintenance back off, as it was before the restore");

        stageMilterConfig("port = 9\n", false, -1);
        restore().recover(Duration.ofSeconds(5));
        assertEquals("port = 1\n", Files.readString(etc.resolve("org.portcullis.milter.cfg")), "no transaction id yet: undone");
    }

    @Test
    void partsOfAParticipantNotRunningWhenACommittedRestoreIsFinishedWaitForIt() throws Exception {
        long committed = transaction(true);
        RestoreJournal journal = stageMilterConfig("port = 9\n", false, committed);
        Path staged = Files.createDirectories(journal.staged().resolve("files"));
        Files.writeString(staged.resolve("p-tls%2Fkey.pem"), "key from the backup");
        Restore withoutFiles = new Restore(ds, etc, work, maintenance, name -> null);

        withoutFiles.recover(Duration.ofSeconds(5));

        assertEquals("port = 9\n", Files.readString(etc.resolve("org.portcullis.milter.cfg")), "the rest of the restore is done");
        assertFalse(Files.exists(work));
        assertEquals(List.of(false), maintenance.changes, "and the node is out of maintenance");
        assertEquals(null, files.restored);
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(tmp.resolve("data/restore-pending"))));
        withoutFiles.deliverPending(files);
        assertEquals("key from the backup", files.restored, "the participant gets its parts when it starts");
        assertFalse(Files.exists(tmp.resolve("data/restore-pending/files")));
        files.restored = null;
        withoutFiles.deliverPending(files);
        assertEquals(null, files.restored, "once");
    }

    @Test
    void aFailureAfterTheCommitIsFinishedByTheNextStart() throws Exception {
        String data = snapshot();
        BackupInfo verified = backupAndVerify();
        sql("DELETE FROM rt_items.a_items WHERE id > 100");
        Files.writeString(etc.resolve("org.portcullis.milter.cfg"), "port = 2\n");
        Path saved = tmp.resolve("etc.saved");
        Files.move(etc, saved);
        Files.writeString(etc, "etc/ is not a directory now");

        BackupException e = assertThrows(BackupException.class, () -> restore().run(verified, KEY, "tester", p -> { }));
        assertTrue(e.getMessage().startsWith("the database is restored, but the rest could not be put back ("), e.getMessage());
        assertTrue(e.getMessage().endsWith("the node stays in maintenance: fix that and restart the node, which finishes the restore"));
        assertEquals(data, snapshot(), "committed");
        assertEquals(List.of(true), maintenance.changes);

        Files.delete(etc);
        Files.move(saved, etc);
        assertEquals("finished the restore of " + verified.file() + " that was interrupted after its database commit",
                restore().recover(Duration.ofSeconds(5)));
        assertEquals("port = 1\n", Files.readString(etc.resolve("org.portcullis.milter.cfg")));
        assertEquals("key one", files.restored);
        assertEquals(List.of(true, false), maintenance.changes);
    }

    @Test
    void aSecondRestoreWaitsUntilTheInterruptedOneIsFinishedOrUndone() throws Exception {
        BackupInfo verified = backupAndVerify();
        RestoreJournal pending = stageMilterConfig("port = 9\n", false, 42);
        assertEquals("an earlier restore is unfinished (" + work + "): restart the node, which finishes or undoes it",
                assertThrows(BackupException.class, () -> restore().run(verified, KEY, "tester", p -> { })).getMessage());
        assertEquals(42, pending.read().orElseThrow().transactionId(), "the interrupted restore's journal is left for the start");
        assertTrue(Files.exists(pending.staged().resolve("config/p-etc%2Forg.portcullis.milter.cfg")));
        assertEquals(List.of(), maintenance.changes);
    }

    private RestoreJournal stageMilterConfig(String content, boolean maintenanceWasOn, long txid) throws IOException {
        RestoreJournal journal = new RestoreJournal(work);
        journal.begin(new RestoreJournal.Entry("/backups/x.pcbk", maintenanceWasOn, -1));
        Path config = Files.createDirectories(journal.staged().resolve("config"));
        Files.writeString(config.resolve("p-etc%2Forg.portcullis.milter.cfg"), content);
        journal.write(new RestoreJournal.Entry("/backups/x.pcbk", maintenanceWasOn, txid));
        return journal;
    }

    private long transaction(boolean commit) throws Exception {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            long id;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT txid_current()")) {
                rs.next();
                id = rs.getLong(1);
            }
            if (commit) {
                c.commit();
            } else {
                c.rollback();
            }
            return id;
        }
    }

    private Restore restore() {
        return new Restore(ds, etc, work, maintenance, name -> name.equals("files") ? files : null);
    }

    private BackupInfo backupAndVerify() throws IOException {
        Path file = tmp.resolve("b.pcbk");
        BackupFiles.create(file, BackupFiles.newHeader("1.0.0", "test", "passphrase"), KEY,
                List.of(new DatabaseParticipant(ds), new ConfigParticipant(etc), files), p -> { });
        files.content = "key two";
        return BackupFiles.verify(file, KEY, p -> { });
    }

    private String snapshot() throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            for (String q : List.of("SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM rt_owners.owners",
                    "SELECT string_agg(id || ':' || owner || ':' || v, ',' ORDER BY id) FROM rt_items.a_items")) {
                try (ResultSet rs = st.executeQuery(q)) {
                    rs.next();
                    out.append(rs.getString(1)).append('\n');
                }
            }
        }
        return out.toString();
    }

    private void sql(String... statements) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    /** A participant with one file-like part. */
    private static final class FilesParticipant implements BackupParticipant {
        String content;
        String restored;

        @Override
        public String name() {
            return "files";
        }

        @Override
        public void backup(Output out) throws IOException {
            try (OutputStream o = out.part("tls/key.pem")) {
                o.write(content.getBytes(StandardCharsets.UTF_8));
            }
        }

        @Override
        public void restore(Input in) throws IOException {
            assertEquals(List.of("tls/key.pem"), in.parts());
            try (var s = in.open("tls/key.pem")) {
                restored = new String(s.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }

    /** Records every switch. */
    private static final class Maintenance implements MaintenanceMode {
        boolean state;
        final List<Boolean> changes = new ArrayList<>();

        @Override
        public boolean isActive() {
            return state;
        }

        @Override
        public MaintenanceState state() {
            return state ? new MaintenanceState(true, "", Instant.EPOCH, "") : MaintenanceState.OFF;
        }

        @Override
        public MaintenanceState enable(String reason, String by) {
            state = true;
            changes.add(true);
            return state();
        }

        @Override
        public MaintenanceState disable() {
            state = false;
            changes.add(false);
            return state();
        }
    }
}
