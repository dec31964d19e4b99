package org.portcullis.backup.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.portcullis.backup.BackupBusyException;
import org.portcullis.backup.BackupException;
import org.portcullis.backup.BackupHeader;
import org.portcullis.backup.BackupInfo;
import org.portcullis.backup.BackupParticipant;
import org.portcullis.backup.Backups;
import org.portcullis.backup.Progress;
import org.portcullis.core.AtomicFiles;
import org.portcullis.core.MaintenanceMode;
import org.portcullis.core.ProductInfo;
import org.portcullis.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes, lists and verifies backups: the data of every Portcullis schema, the Portcullis
 * configuration, and whatever each registered {@link BackupParticipant} adds. Encrypted with a
 * passphrase, or else with the appliance key file.
 */
@Component(service = Backups.class, configurationPid = "org.portcullis.backup")
@Designate(ocd = BackupConfig.class)
public class BackupService implements Backups {

    static final String SUFFIX = ".pcbk";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final Logger LOG = LoggerFactory.getLogger(BackupService.class);

    @Reference(target = Storage.DATA_SOURCE_FILTER)
    private DataSource ds;

    @Reference
    private ProductInfo product;

    private final List<BackupParticipant> participants = new CopyOnWriteArrayList<>();

    @Reference
    private MaintenanceMode maintenance;

    private final ReentrantLock busy = new ReentrantLock();
    private Path directory;
    private Path keyFile;
    private long uploadLimit;
    private volatile Restore restore;

    @Activate
    void activate(BackupConfig config) {
        directory = config.directory().isBlank() ? Paths.get(System.getProperty("karaf.data", "data"), "portcullis", "backups")
                : Paths.get(config.directory());
        keyFile = config.key_file().isBlank() ? Paths.get(System.getProperty("karaf.etc", "etc"), "portcullis-backup.key")
                : Paths.get(config.key_file());
        uploadLimit = config.upload_max_bytes();
        restore = new Restore(ds, etc(), Paths.get(System.getProperty("karaf.data", "data"), "portcullis", "restore"), maintenance,
                this::participant);
        try {
            String done = restore.recover(Duration.ofSeconds(60));
            if (!done.isEmpty()) {
                LOG.warn("Restore: {}", done);
            }
        } catch (IOException e) {
            LOG.error("Restore: {}", e.getMessage());
        }
        participants.forEach(restore::deliverPending);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    synchronized void addParticipant(BackupParticipant p) {
        String refused = refusal(p, participants);
        if (refused != null) {
            LOG.error("Backup participant {} refused: {}; backups go on without it", p.getClass().getName(), refused);
            return;
        }
        participants.add(p);
        Restore r = restore;
        if (r != null) {
            r.deliverPending(p);
        }
    }

    void removeParticipant(BackupParticipant p) {
        participants.remove(p);
    }

    /**
     * Why a participant cannot join, or {@code null}: its parts are stored under its name, so
     * a name that is not {@code [a-z0-9-]+}, that of the backup's own parts ({@code database},
     * {@code config}) or that of a participant already there would make backups that cannot
     * be restored (or fail every backup).
     */
    static String refusal(BackupParticipant p, List<BackupParticipant> present) {
        String name;
        try {
            name = p.name();
        } catch (RuntimeException e) {
            return "its name() failed: " + e;
        }
        if (name == null || !name.matches("[a-z0-9-]+")) {
            return "name '" + name + "' is not [a-z0-9-]+";
        }
        if (name.equals("database") || name.equals("config")) {
            return "name '" + name + "' is the backup's own " + name + " part";
        }
        for (BackupParticipant q : present) {
            if (q != p && name.equals(q.name())) {
                return "name '" + name + "' is taken by " + q.getClass().getName();
            }
        }
        return null;
    }

    /** A fresh dated file name: {@code portcullis-<version>-<yyyyMMdd-HHmmss>.pcbk} (UTC), unique to the second. */
    @Override
    public String newName() {
        return "portcullis-" + product.version() + "-" + STAMP.format(java.time.Instant.now()) + SUFFIX;
    }

    @Override
    public Path directory() {
        return directory;
    }

    /** The largest file an upload may bring ({@code upload.max.bytes}). */
    @Override
    public long uploadLimit() {
        return uploadLimit;
    }

    /** Makes a backup at {@code to}, or in the backup directory under a dated name when {@code to} is null. */
    @Override
    public BackupInfo create(Path to, char[] passphrase, Consumer<Progress> progress) throws IOException {
        return exclusively(() -> make(to, passphrase, progress));
    }

    private BackupInfo make(Path to, char[] passphrase, Consumer<Progress> progress) throws IOException {
        BackupHeader header = BackupFiles.newHeader(product.version(), node(), passphrase == null ? "keyfile" : "passphrase");
        Path target = to != null ? to : directory.resolve(newName());
        List<BackupParticipant> all = new ArrayList<>();
        all.add(new DatabaseParticipant(ds));
        all.add(new ConfigParticipant(etc()));
        participants.stream().sorted(Comparator.comparing(BackupParticipant::name)).forEach(all::add);
        long start = System.nanoTime();
        BackupInfo info = BackupFiles.create(target, header, keyFor(passphrase, true), all, progress);
        LOG.info("Backup {} made: {} parts, {} bytes of data, {} bytes on disk, {} ms", target, info.parts().size(), info.payloadBytes(),
                info.fileBytes(), (System.nanoTime() - start) / 1_000_000);
        return info;
    }

    /** Reads the whole file and checks every byte of it; changes nothing. */
    @Override
    public BackupInfo verify(Path file, char[] passphrase, Consumer<Progress> progress) throws IOException {
        return BackupFiles.verify(file, keyFor(passphrase, false), progress);
    }

    /**
     * Puts {@code file} back: verifies all of it, refuses another product version, then restores
     * the database in one transaction and the configuration by atomic renames, in maintenance
     * mode; on any failure, or a crash, the system is left as it was (see {@link Restore}).
     */
    @Override
    public BackupInfo restore(Path file, char[] passphrase, String by, Consumer<Progress> progress) throws IOException {
        return exclusively(() -> {
            try (DerivedOnce key = new DerivedOnce(keyFor(passphrase, false))) {
                return restore(file, key, by, progress);
            }
        });
    }

    private BackupInfo restore(Path file, Function<BackupHeader, byte[]> key, String by, Consumer<Progress> progress) throws IOException {
        BackupInfo verified = BackupFiles.verify(file, key, progress);
        String made = verified.header().productVersion();
        if (!made.equals(product.version())) {
            throw new BackupException("this backup was made by Portcullis " + made + ", this system runs " + product.version()
                    + ": restore it on " + made + ", or take a new backup");
        }
        long start = System.nanoTime();
        BackupInfo info = restore.run(verified, key, by, progress);
        LOG.info("Backup {} restored by {}: {} parts, {} bytes of data, {} ms", file, by, info.parts().size(), info.payloadBytes(),
                (System.nanoTime() - start) / 1_000_000);
        return info;
    }

    /** A key derived once — scrypt is slow on purpose — for both passes of a restore, handed out as copies and wiped after. */
    private static final class DerivedOnce implements Function<BackupHeader, byte[]>, AutoCloseable {
        private final Function<BackupHeader, byte[]> derive;
        private byte[] key;

        DerivedOnce(Function<BackupHeader, byte[]> derive) {
            this.derive = derive;
        }

        @Override
        public byte[] apply(BackupHeader header) {
            if (key == null) {
                key = derive.apply(header);
            }
            return key.clone();
        }

        @Override
        public void close() {
            if (key != null) {
                java.util.Arrays.fill(key, (byte) 0);
            }
        }
    }

    /** Deletes a backup in the backup directory. */
    @Override
    public void delete(Path file) throws IOException {
        exclusively(() -> {
            if (!Files.deleteIfExists(file)) {
                throw new BackupException("no backup " + file.getFileName());
            }
            LOG.info("Backup {} deleted", file);
            return null;
        });
    }

    private interface Work<T> {
        T run() throws IOException;
    }

    private <T> T exclusively(Work<T> work) throws IOException {
        if (!busy.tryLock()) {
            throw new BackupBusyException("another backup or restore is running on this node: wait for it to finish");
        }
        try {
            return work.run();
        } finally {
            busy.unlock();
        }
    }

    private BackupParticipant participant(String name) {
        return participants.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
    }

    private static Path etc() {
        return Paths.get(System.getProperty("karaf.etc", "etc"));
    }

    /** The backups in the backup directory, newest first, from their clear headers. */
    @Override
    public List<BackupInfo> list() throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        List<BackupInfo> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).toList()) {
                try {
                    out.add(BackupFiles.header(f));
                } catch (BackupException e) {
                    LOG.warn("{} in the backup directory is not a readable backup: {}", f, e.getMessage());
                }
            }
        }
        out.sort(Comparator.comparing((BackupInfo b) -> b.header().created()).reversed());
        return out;
    }

    private Function<BackupHeader, byte[]> keyFor(char[] passphrase, boolean creating) {
        return h -> {
            if ("passphrase".equals(h.keyKind())) {
                if (passphrase == null) {
                    throw new IllegalArgumentException("this backup was made with a passphrase: give it with --passphrase-file");
                }
                return BackupCrypto.keyFromPassphrase(passphrase, h);
            }
            if (passphrase != null && !creating) {
                throw new IllegalArgumentException("this backup was made with the appliance key file, not a passphrase: leave "
                        + "--passphrase-file out");
            }
            return BackupCrypto.keyFromKeyFile(applianceKey(creating), h);
        };
    }

    private byte[] applianceKey(boolean create) {
        try {
            if (!Files.exists(keyFile)) {
                if (!create) {
                    throw new IllegalArgumentException("no appliance key file at " + keyFile
                            + ": copy it from the node that made the backup, or use the backup's passphrase");
                }
                byte[] key = new byte[32];
                new SecureRandom().nextBytes(key);
                AtomicFiles.writePrivate(keyFile, out -> out.write(key));
                LOG.info("Created the appliance backup key {} (0600); copy it to every cluster node and keep a copy off the appliance",
                        keyFile);
            }
            return Files.readAllBytes(keyFile);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot use the appliance key file " + keyFile + ": " + e.getMessage());
        }
    }

    private static String node() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
