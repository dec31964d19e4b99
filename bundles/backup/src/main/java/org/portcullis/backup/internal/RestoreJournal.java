package org.portcullis.backup.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

import org.portcullis.backup.BackupException;
import org.portcullis.core.AtomicFiles;

/**
 * The on-disk record of a restore in progress, in its own directory beside the parts it has
 * staged ({@code staged/<participant>/<part>}). It is what lets a node killed in the middle
 * of a restore come back exactly as it was, or exactly restored:
 * <ul>
 * <li>written before anything changes, with the maintenance state to return to;</li>
 * <li>given the database transaction's id just before that transaction commits. The commit is
 *     the one point of no return: after a crash, PostgreSQL says whether that transaction
 *     committed, and the staged files are then applied (again) or thrown away;</li>
 * <li>removed, with the staged parts, when the restore is complete or undone.</li>
 * </ul>
 * Each write goes through {@link AtomicFiles}, so a crash leaves either the old or the new record.
 */
final class RestoreJournal {

    /** What the journal says. {@code transactionId} is -1 until the database is about to commit. */
    record Entry(String backup, boolean maintenanceWasOn, long transactionId) {
    }

    private final Path dir;

    RestoreJournal(Path dir) {
        this.dir = dir;
    }

    Path staged() {
        return dir.resolve("staged");
    }

    Optional<Entry> read() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve("journal.properties"))) {
            p.load(in);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Entry(p.getProperty("backup", ""), Boolean.parseBoolean(p.getProperty("maintenance.was.on")),
                    Long.parseLong(p.getProperty("transaction", "-1"))));
        } catch (NumberFormatException e) {
            throw new IOException(dir.resolve("journal.properties") + ": 'transaction' is not a number");
        }
    }

    /** Starts a restore: no journal may be there, and the staging directory is made empty. */
    void begin(Entry entry) throws IOException {
        if (Files.exists(dir.resolve("journal.properties"))) {
            throw new BackupException("an earlier restore is unfinished (" + dir + "): restart the node, which finishes or undoes it");
        }
        deleteTree(dir);
        Files.createDirectories(dir.getParent());
        // private: staged parts are the backup's plaintext (configuration, keys)
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.createDirectories(staged());
        write(entry);
    }

    void write(Entry entry) throws IOException {
        Properties p = new Properties();
        p.setProperty("backup", entry.backup());
        p.setProperty("maintenance.was.on", Boolean.toString(entry.maintenanceWasOn()));
        p.setProperty("transaction", Long.toString(entry.transactionId()));
        AtomicFiles.write(dir.resolve("journal.properties"), out -> p.store(out,
                "Portcullis restore in progress: do not edit; the node finishes or undoes it when it starts"));
    }

    /** Removes the journal first (so a crash here cannot replay it), then the staged parts. */
    void clear() throws IOException {
        Files.deleteIfExists(dir.resolve("journal.properties"));
        AtomicFiles.syncDirectory(dir);
        deleteTree(dir);
    }

    static void sync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
