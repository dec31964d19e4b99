package org.portcullis.backup.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.portcullis.backup.BackupException;
import org.portcullis.backup.BackupHeader;
import org.portcullis.backup.BackupInfo;
import org.portcullis.backup.BackupParticipant;
import org.portcullis.backup.Progress;
import org.portcullis.core.AtomicFiles;
import org.portcullis.core.MaintenanceMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a verified backup back, all or nothing:
 * <ol>
 * <li>the journal is written and maintenance switched on;</li>
 * <li>the file is read a second time (every segment authenticated again): database parts go
 *     into one open transaction, every other part is staged beside the journal;</li>
 * <li>the journal gets the transaction id, and the transaction commits — the point of no return;</li>
 * <li>the staged configuration files replace those in {@code etc/} (each by an atomic rename),
 *     other participants restore their parts, the journal is removed, maintenance returns to
 *     what it was.</li>
 * </ol>
 * Anything failing before the commit rolls the transaction back and removes the staged parts; a
 * node killed at any point finishes or undoes the restore when it starts again ({@link #recover}).
 */
final class Restore {

    /** Configuration that belongs to the node, not to the policy: where its database is. */
    static final Set<String> NODE_LOCAL = Set.of("org.portcullis.storage.cfg");

    private static final Logger LOG = LoggerFactory.getLogger(Restore.class);
    private static final String CONFIG_PREFIX = "config/etc/";

    private final DataSource ds;
    private final Path etc;
    private final RestoreJournal journal;
    private final Path pending;
    private final Duration lockTimeout;
    private final MaintenanceMode maintenance;
    private final Function<String, BackupParticipant> participants;

    Restore(DataSource ds, Path etc, Path work, MaintenanceMode maintenance, Function<String, BackupParticipant> participants) {
        this(ds, etc, work, maintenance, participants, Duration.ofSeconds(60));
    }

    /** @param lockTimeout how long the restore waits for other sessions to let go of the tables */
    Restore(DataSource ds, Path etc, Path work, MaintenanceMode maintenance, Function<String, BackupParticipant> participants,
            Duration lockTimeout) {
        this.lockTimeout = lockTimeout;
        this.ds = ds;
        this.etc = etc;
        this.journal = new RestoreJournal(work);
        this.pending = work.resolveSibling(work.getFileName() + "-pending");
        this.maintenance = maintenance;
        this.participants = participants;
    }

    /**
     * Restores {@code verified} (already read once, whole, with this key), refusing first
     * whatever this system cannot take.
     */
    BackupInfo run(BackupInfo verified, Function<BackupHeader, byte[]> keyFor, String by, Consumer<Progress> progress)
            throws IOException {
        for (String p : verified.parts()) {
            String owner = p.substring(0, Math.max(p.indexOf('/'), 0));
            if (!owner.equals("database") && !owner.equals("config") && participants.apply(owner) == null) {
                throw new BackupException("the backup holds parts of '" + owner + "', which this system does not have: install "
                        + "the feature that provides it, then restore");
            }
        }
        boolean wasOn = maintenance.isActive();
        journal.begin(new RestoreJournal.Entry(verified.file().toString(), wasOn, -1));
        boolean committed = false;
        try {
            maintenance.enable("restoring backup " + verified.file().getFileName(), by);
            ProgressMeter meter = new ProgressMeter(progress, "restoring", verified.parts().size(), verified.payloadBytes());
            BackupInfo info;
            try (DatabaseRestore db = new DatabaseRestore(ds, lockTimeout)) {
                info = BackupFiles.read(verified.file(), keyFor, meter, (name, in) -> take(db, name, in));
                journal.write(new RestoreJournal.Entry(verified.file().toString(), wasOn, db.transactionId()));
                db.commit();
                committed = true;
            }
            LOG.info("Restore of {}: database committed; putting the configuration back", verified.file());
            try {
                finish(wasOn);
            } catch (IOException | RuntimeException e) {
                throw new BackupException("the database is restored, but the rest could not be put back (" + e.getMessage()
                        + "); the node stays in maintenance: fix that and restart the node, which finishes the restore");
            }
            return info;
        } finally {
            if (!committed) {
                undo(wasOn);
            }
        }
    }

    private void take(DatabaseRestore db, String name, InputStream in) throws IOException {
        if (name.equals("database/" + DatabaseParticipant.SCHEMAS)) {
            db.schemas(in);
        } else if (name.equals("database/" + DatabaseParticipant.SEQUENCES)) {
            db.sequences(in);
        } else if (name.startsWith("database/")) {
            db.table(name.substring("database/".length()), in);
        } else if (name.startsWith(CONFIG_PREFIX) && NODE_LOCAL.contains(name.substring(CONFIG_PREFIX.length()))) {
            LOG.info("Restore: keeping this node's own {} (not restored from the backup)", name.substring(CONFIG_PREFIX.length()));
        } else {
            stage(name, in);
        }
    }

    private void stage(String name, InputStream in) throws IOException {
        int slash = name.indexOf('/');
        if (slash < 1) {
            throw new BackupException("backup payload is damaged (part name '" + name + "')");
        }
        String owner = name.substring(0, slash);
        String rest = name.substring(slash + 1);
        if (owner.equals("config") && !rest.matches("etc/org\\.portcullis\\.[A-Za-z0-9._-]+\\.cfg")) {
            throw new BackupException("backup payload is damaged (configuration part '" + rest + "')");
        }
        Path dir = journal.staged().resolve(owner);
        Files.createDirectories(dir);
        Path file = stagedFile(dir, rest);
        try (OutputStream out = Files.newOutputStream(file)) {
            in.transferTo(out);
        }
        RestoreJournal.sync(file);
    }

    /** After the commit: configuration into etc/, participants' parts to them, journal gone, maintenance as it was. */
    private void finish(boolean wasOn) throws IOException {
        Path config = journal.staged().resolve("config");
        for (String part : staged(config)) {
            Path staged = stagedFile(config, part);
            AtomicFiles.write(etc.resolve(part.substring("etc/".length())), out -> Files.copy(staged, out));
        }
        try (Stream<Path> owners = Files.list(journal.staged())) {
            for (Path dir : owners.filter(d -> !d.getFileName().toString().equals("config")).sorted().toList()) {
                String owner = dir.getFileName().toString();
                BackupParticipant p = participants.apply(owner);
                if (p == null) {
                    // only after a crash: a restore refuses up front a participant this system lacks
                    Path later = pending.resolve(owner);
                    RestoreJournal.deleteTree(later);
                    if (!Files.isDirectory(pending)) {
                        Files.createDirectories(pending.getParent());
                        Files.createDirectory(pending, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                    }
                    Files.move(dir, later, StandardCopyOption.ATOMIC_MOVE);
                    LOG.warn("Restore: participant '{}' is not running; its parts wait in {} and are handed to it when it starts",
                            owner, later);
                } else {
                    p.restore(input(owner, dir));
                }
            }
        }
        journal.clear();
        if (!wasOn) {
            maintenance.disable();
        }
    }

    /** Hands {@code p} the parts a finished restore kept for it while it was not running, if any. */
    void deliverPending(BackupParticipant p) {
        Path dir = pending.resolve(p.name());
        if (!Files.isDirectory(dir)) {
            return;
        }
        try {
            p.restore(input(p.name(), dir));
            RestoreJournal.deleteTree(dir);
            LOG.info("Restore: participant '{}' got the parts of the last restore it had missed", p.name());
        } catch (IOException | RuntimeException e) {
            LOG.error("Restore: participant '{}' could not take the parts waiting in {} ({}); they are offered again when it next "
                    + "starts", p.name(), dir, e.getMessage());
        }
    }

    private static BackupParticipant.Input input(String owner, Path dir) throws IOException {
        List<String> names = staged(dir);
        return new BackupParticipant.Input() {
            @Override
            public List<String> parts() {
                return names;
            }

            @Override
            public InputStream open(String part) throws IOException {
                if (!names.contains(part)) {
                    throw new IOException("the backup holds no part " + owner + "/" + part);
                }
                return Files.newInputStream(stagedFile(dir, part));
            }
        };
    }

    private void undo(boolean wasOn) {
        try {
            journal.clear();
        } catch (IOException e) {
            LOG.error("Restore undone, but its staging directory could not be removed ({}); the node removes it when it starts",
                    e.getMessage());
        }
        try {
            if (!wasOn) {
                maintenance.disable();
            }
        } catch (IOException e) {
            LOG.error("Restore undone, but maintenance mode could not be switched off ({}): run 'portcullis:maintenance off'",
                    e.getMessage());
        }
    }

    /** Where a staged part is kept: its name encoded into one safe file name (no '/', never '.' or '..'). */
    private static Path stagedFile(Path dir, String part) {
        return dir.resolve("p-" + URLEncoder.encode(part, StandardCharsets.UTF_8));
    }

    /** The parts staged in {@code dir}, sorted. */
    private static List<String> staged(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("p-"))
                    .map(n -> URLDecoder.decode(n.substring(2), StandardCharsets.UTF_8)).sorted().toList();
        }
    }

    /**
     * Finishes or undoes a restore that a stopped node left behind: when the journal names a
     * committed transaction the staged parts are applied, otherwise they are thrown away; either
     * way maintenance returns to what it was before the restore.
     *
     * @return what was done, for the log; empty when there was nothing to do
     */
    String recover(Duration waitForAbort) throws IOException {
        var entry = journal.read();
        if (entry.isEmpty()) {
            RestoreJournal.deleteTree(journal.staged().getParent());
            return "";
        }
        RestoreJournal.Entry e = entry.get();
        String status = e.transactionId() < 0 ? "aborted" : transactionStatus(e.transactionId(), waitForAbort);
        switch (status) {
            case "committed" -> {
                finish(e.maintenanceWasOn());
                return "finished the restore of " + e.backup() + " that was interrupted after its database commit";
            }
            case "aborted" -> {
                undo(e.maintenanceWasOn());
                return "undid the restore of " + e.backup() + " that was interrupted before its database commit: nothing changed";
            }
            default -> throw new IOException("cannot tell whether the interrupted restore of " + e.backup() + " committed (transaction "
                    + e.transactionId() + " is " + status + "); the node stays in maintenance: check the data, then remove "
                    + journal.staged().getParent() + " and run 'portcullis:maintenance off'");
        }
    }

    private String transactionStatus(long txid, Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        try (Connection c = ds.getConnection()) {
            while (true) {
                String s = DatabaseParticipant.query(c, "SELECT txid_status(" + txid + ")").get(0)[0];
                if (!"in progress".equals(s) || System.nanoTime() > deadline) {
                    return s == null ? "unknown" : s;
                }
                Thread.sleep(200);
            }
        } catch (SQLException ex) {
            throw new IOException("database: " + DatabaseParticipant.firstLine(ex), ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the database");
        }
    }
}
