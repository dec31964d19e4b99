package org.portcullis.updater.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.portcullis.core.ProductInfo;
import org.portcullis.updater.Check;
import org.portcullis.updater.Updates;
import org.portcullis.updater.pkg.PackageException;
import org.portcullis.updater.pkg.UpdateManifest;
import org.portcullis.updater.pkg.UpdatePackage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The update packages kept under data/ and the prechecks (config PID {@code org.portcullis.updater}). */
@Component(service = Updates.class, configurationPid = "org.portcullis.updater", immediate = true)
@Designate(ocd = UpdaterConfig.class)
public class UpdateService implements Updates {

    private static final Logger LOG = LoggerFactory.getLogger(UpdateService.class);
    static final String SUFFIX = ".pcup";

    @Reference
    ProductInfo product;

    /** The database, for the size of the backup an update makes; the checks run without it. */
    @Reference(target = "(dataSourceName=portcullis)", cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile DataSource dataSource;

    /** The cluster's nodes, when the cluster bundle is installed: the cluster precheck asks it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile org.portcullis.updater.spi.ClusterNodes cluster;

    /** Updates every node of the cluster one at a time, when the cluster bundle is installed. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile org.portcullis.updater.spi.ClusterUpdate clusterUpdate;

    private Path keys;
    private Path directory;
    private Prechecks prechecks;
    private Path updates;
    private volatile boolean active;
    private volatile Thread runner;
    private Services services;
    private OsRuns.Settings os;
    private Optional<MailQueue> queue;
    private String url;

    @Activate
    void activate(BundleContext context, UpdaterConfig config) {
        keys = config.trusted_keys().isBlank() ? Paths.get(System.getProperty("karaf.etc", "etc"), "portcullis-update-keys.pem")
                : Paths.get(config.trusted_keys().trim());
        directory = config.packages_directory().isBlank()
                ? Paths.get(System.getProperty("karaf.data", "data"), "portcullis", "updates", "packages")
                : Paths.get(config.packages_directory().trim());
        updates = Paths.get(System.getProperty("karaf.data", "data"), "portcullis", "updates");
        java.util.Optional<OsStep.Launcher> launcher = OsStep.Launcher.detect(config.os_launcher());
        os = new OsRuns.Settings(updates.resolve("os"), launcher.orElse(OsStep.Launcher.DETACHED), OsStep.words(config.os_recover_command()),
                java.time.Duration.ofSeconds(Math.max(1, config.os_timeout_s())));
        url = config.update_url();
        queue = MailQueue.configured(config.queue_command(), config.queue_drain_s());
        prechecks = new Prechecks(new Host(), Prechecks.keysIn(keys), config.memory_min_mb(), config.disk_reserve_mb(), launcher,
                () -> ServiceSteps.controlled(services), queue);
        active = true;
        services = new Services(context, () -> active);
        // Not on the activating thread: this may run inside a Karaf deployment that swaps this bundle.
        Thread t = new Thread(this::startUp, "portcullis-updater");
        t.setDaemon(true);
        runner = t;
        t.start();
    }

    @Deactivate
    void deactivate() {
        active = false;
        Thread t = runner;
        if (t != null) {
            t.interrupt(); // never joined: the thread may be waiting for the very deployment that stops us
        }
    }

    /** Records the product version of a database that has none, and carries on an update left in flight. */
    private void startUp() {
        try {
            if (carryOn()) {
                return;
            }
            org.portcullis.storage.UpdateDatabase db = services.await(org.portcullis.storage.UpdateDatabase.class, java.time.Duration.ofMinutes(10));
            services.until("the database answering", java.time.Duration.ofMinutes(10), () -> {
                try {
                    db.adoptProductVersion(product.version());
                    return true;
                } catch (org.portcullis.storage.StorageException e) {
                    return false;
                }
            });
        } catch (Services.Stopped stopped) {
            // deactivated meanwhile
        } catch (IOException | RuntimeException e) {
            LOG.error("The updater could not read or carry on its journal {}: {}", journalFile(), e.toString());
        }
    }

    /**
     * Runs the update in the journal, if one is in flight, holding the journal's lock: while the
     * update swaps this bundle, two versions of it can be active for a moment, and only one may
     * drive the update. The JDK refuses a second lock on one file within one JVM whatever the
     * class loader, so the successor waits here until its predecessor's thread has let go.
     * Returns whether there was an update to run.
     */
    private boolean carryOn() throws IOException {
        Path lockFile = updates.resolve("journal.lock");
        Files.createDirectories(updates);
        while (true) {
            services.checkActive();
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lockFile, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE); java.nio.channels.FileLock lock = ch.tryLock()) {
                if (lock != null) {
                    Optional<Journal> left = Journal.read(journalFile());
                    if (left.isPresent() && (left.get().state() == Journal.State.DONE || left.get().state() == Journal.State.ROLLED_BACK)) {
                        toHistory(left.get()); // ended, but a crash came before it was moved
                        finishLastLog(); // and before its log got its last line
                        return false;
                    }
                    if (left.isEmpty()) {
                        finishLastLog();
                        return false;
                    }
                    if (!(left.get().state() == Journal.State.RUNNING || left.get().state() == Journal.State.ROLLING_BACK)) {
                        return false;
                    }
                    Journal j = left.get();
                    boolean restarted = !j.owner().equals(jvm());
                    if (restarted || !j.step().equals(Step.PRECHECK)) {
                        LOG.info("Update {} -> {} in flight at step {} ({}): carrying on", j.from(), j.to(), j.step(),
                                restarted ? "the container restarted" : "this bundle was swapped");
                    }
                    j.owner(jvm());
                    j.save();
                    new Applier(services, j, log(j.from(), j.to()), Prechecks.keysIn(keys).get(), restarted, os, queue).run();
                    return true;
                }
            } catch (java.nio.channels.OverlappingFileLockException another) {
                // the other version of this bundle still drives the update
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Services.Stopped();
            }
        }
    }

    @Override
    public Path apply(Path file) {
        return apply(file, false);
    }

    @Override
    public Path applyCluster(Path file) {
        org.portcullis.updater.spi.ClusterUpdate rollout = cluster("no cluster to update: the cluster bundle is not running here "
                + "(update:apply without --cluster updates this node)");
        Path kept = keep(file);
        UpdateManifest m = UpdatePackage.open(kept, Prechecks.keysIn(keys).get()).manifest();
        return refusedInOneLine(() -> rollout.start(kept, m.fromVersion().toString(), m.toVersion().toString()));
    }

    @Override
    public String abortCluster(String by) {
        org.portcullis.updater.spi.ClusterUpdate rollout = cluster("no cluster update to stop: the cluster bundle is not running here");
        return refusedInOneLine(() -> rollout.abort(by));
    }

    /** The cluster bundle's service, or a refusal that says {@code without}. */
    private org.portcullis.updater.spi.ClusterUpdate cluster(String without) {
        org.portcullis.updater.spi.ClusterUpdate rollout = clusterUpdate;
        if (rollout == null) {
            throw new PackageException(without);
        }
        return rollout;
    }

    /** Runs a call into the cluster bundle; what it refuses (a checked exception with its one line) becomes this API's refusal. */
    private static <T> T refusedInOneLine(java.util.concurrent.Callable<T> call) {
        try {
            return call.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new PackageException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    /** Whether {@code file} is one of the kept packages. */
    private boolean isKept(Path file) {
        return file.toAbsolutePath().normalize().startsWith(directory.toAbsolutePath().normalize());
    }

    /** {@code file} as kept here: itself when it is a kept package, else a verified copy ({@link #install}). */
    private Path keep(Path file) {
        return isKept(file) ? file : install(file);
    }

    @Override
    public boolean inFlight() {
        try {
            return Journal.read(journalFile()).isPresent();
        } catch (IOException e) {
            return true; // a journal that cannot be read is not taken for none
        }
    }

    @Override
    public Path apply(Path file, boolean clusterTurn) {
        synchronized (this) {
            try {
                Optional<Journal> running = Journal.read(journalFile());
                if (running.isPresent()) {
                    Journal j = running.get();
                    throw new PackageException("an update is already " + (j.state() == Journal.State.STOPPED ? "stopped" : "running") + ": "
                            + j.from() + " -> " + j.to() + " at step " + j.step().name().toLowerCase(java.util.Locale.ROOT)
                            + " (update:status)");
                }
            } catch (IOException e) {
                throw new PackageException("the update journal cannot be read: " + e.getMessage(), e);
            }
            List<Check> checks = precheck(file, clusterTurn);
            List<Check> failed = checks.stream().filter(c -> !c.passed()).toList();
            if (!failed.isEmpty()) {
                throw new PackageException(failed.size() + " of " + checks.size() + " prechecks failed, nothing was changed: "
                        + failed.stream().map(c -> c.name() + ": " + c.reason()).collect(java.util.stream.Collectors.joining("; ")));
            }
            Path kept = keep(file);
            UpdateManifest m = UpdatePackage.open(kept, Prechecks.keysIn(keys).get()).manifest();
            String from = m.fromVersion().toString();
            String to = m.toVersion().toString();
            UpdateLog log = log(from, to);
            try {
                Files.deleteIfExists(log.file());
                Journal j = Journal.start(journalFile(), java.util.UUID.randomUUID().toString(), kept.toAbsolutePath().normalize(), from, to, jvm());
                j.set("manifest.sha256", org.portcullis.updater.pkg.PackageWriter.hash(m.toBytes()));
                j.save();
                Applier.header(log, from, to);
                Thread t = new Thread(() -> {
                    try {
                        carryOn();
                    } catch (Services.Stopped stopped) {
                        // the successor carries on
                    } catch (IOException | RuntimeException e) {
                        LOG.error("The update {} -> {} could not run: {}", from, to, e.toString());
                    }
                }, "portcullis-update");
                t.setDaemon(true);
                runner = t;
                t.start();
            } catch (IOException e) {
                throw new PackageException("the update journal cannot be written: " + e.getMessage(), e);
            }
            return log.file();
        }
    }

    @Override
    public List<String> status() {
        List<String> out = new java.util.ArrayList<>();
        try {
            Optional<Journal> j = Journal.read(journalFile());
            Path last = j.isPresent() ? journalFile() : newest(updates.resolve("history"), ".properties");
            Journal shown = j.isPresent() ? j.get() : last == null ? null : Journal.read(last).orElse(null);
            if (shown == null) {
                return out;
            }
            out.add("Update   : " + shown.from() + " -> " + shown.to() + (j.isPresent() ? "" : " (the last one)"));
            out.add("State    : " + shown.state().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                    + ", step " + shown.step().name().toLowerCase(java.util.Locale.ROOT)
                    + (shown.committed() ? ", the database has committed " + shown.to() : ", the database is at " + shown.from()));
            if (!shown.message().isEmpty()) {
                out.add("Why      : " + shown.message());
            }
            Path logFile = log(shown.from(), shown.to()).file();
            out.add("Log      : " + logFile);
            if (Files.isRegularFile(logFile)) {
                List<String> lines = Files.readAllLines(logFile);
                lines.subList(Math.max(0, lines.size() - 12), lines.size()).forEach(l -> out.add("  " + l));
            }
        } catch (IOException e) {
            out.add("The update journal cannot be read: " + e.getMessage());
        }
        return out;
    }

    /**
     * The log of the last update ends with its verdict even when the container stopped between
     * the journal's last write and that line: written here from the journal, which decides.
     */
    private void finishLastLog() throws IOException {
        Path last = newest(updates.resolve("history"), ".properties");
        Journal j = last == null ? null : Journal.read(last).orElse(null);
        if (j == null || !(j.state() == Journal.State.DONE || j.state() == Journal.State.ROLLED_BACK)) {
            return;
        }
        UpdateLog log = log(j.from(), j.to());
        if (Files.isRegularFile(log.file()) && Files.readAllLines(log.file()).stream().noneMatch(l -> l.startsWith(UpdateLog.LAST))) {
            log.line(" * The container restarted after the update had ended; its last line is written now");
            if (j.state() == Journal.State.DONE) {
                log.line(UpdateLog.LAST + "OK");
            } else {
                log.warn(UpdateLog.LAST + "FAILED, rolled back to " + j.from() + ": " + j.message());
            }
        }
    }

    private void toHistory(Journal j) throws IOException {
        Path history = Files.createDirectories(updates.resolve("history"));
        Files.move(j.file(), history.resolve(j.from() + "-" + j.to() + "-" + j.id() + ".properties"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public List<Past> history() {
        Path dir = updates.resolve("history");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Past> out = new java.util.ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".properties")).sorted(Comparator.comparing(UpdateService::modified)).toList()) {
                Optional<Journal> j = Journal.read(p);
                if (j.isPresent()) {
                    out.add(new Past(j.get().from(), j.get().to(), j.get().get("started"),
                            j.get().state().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '), j.get().message(),
                            log(j.get().from(), j.get().to()).file()));
                }
            }
        } catch (IOException e) {
            throw new PackageException("cannot read the update history in " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static Path newest(Path dir, String suffix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).max(Comparator.comparing(UpdateService::modified)).orElse(null);
        }
    }

    private Path journalFile() {
        return updates.resolve("journal.properties");
    }

    private UpdateLog log(String from, String to) {
        return new UpdateLog(updates.resolve(from + "-" + to + ".log"));
    }

    /** This JVM: a journal left by another one was left by a crash or a restart. */
    static String jvm() {
        ProcessHandle self = ProcessHandle.current();
        return self.pid() + "@" + self.info().startInstant().map(Object::toString).orElse("?");
    }

    @Override
    public List<Check> precheck(Path file) {
        return precheck(file, false);
    }

    private List<Check> precheck(Path file, boolean clusterTurn) {
        List<Check> checks = new java.util.ArrayList<>(prechecks.run(file, isKept(file), clusterTurn));
        checks.add(runningCheck());
        return checks;
    }

    /** Only one update at a time: one in flight, or one stopped by its loop guard, must end first. */
    private Check runningCheck() {
        try {
            Optional<Journal> j = Journal.read(journalFile());
            if (j.isEmpty()) {
                return Check.pass("running", "no other update is in flight");
            }
            return Check.fail("running", "an update is " + (j.get().state() == Journal.State.STOPPED ? "stopped" : "in flight") + ": "
                    + j.get().from() + " -> " + j.get().to() + " at step " + j.get().step().name().toLowerCase(java.util.Locale.ROOT) + " (update:status)");
        } catch (IOException e) {
            return Check.fail("running", "the update journal cannot be read: " + e.getMessage());
        }
    }

    @Override
    public Path install(Path file) {
        UpdateManifest m = UpdatePackage.open(file, Prechecks.keysIn(keys).get()).manifest();
        Path target = directory.resolve("portcullis-update-" + m.fromVersion() + "-" + m.toVersion() + SUFFIX);
        try {
            Optional<Journal> running = Journal.read(journalFile());
            if (running.isPresent() && running.get().packageFile().equals(target.toAbsolutePath().normalize())
                    && !file.toAbsolutePath().normalize().equals(target.toAbsolutePath().normalize())) {
                throw new PackageException(target.getFileName() + " belongs to the update in flight and is not replaced (update:status)");
            }
            Files.createDirectories(directory);
            Path tmp = Files.createTempFile(directory, target.getFileName() + ".", ".part");
            try {
                Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
                // verified again as copied: the copy is what is kept, whatever happened to the source meanwhile
                UpdatePackage.open(tmp, Prechecks.keysIn(keys).get());
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new PackageException("cannot keep the package in " + directory + ": " + e.getMessage(), e);
        }
        LOG.info("Update package {} kept as {}: {} -> {}", file, target, m.fromVersion(), m.toVersion());
        return target;
    }

    @Override
    public List<Offer> check() {
        String running = product.version();
        return UpdateSource.at(url).index().stream().filter(o -> o.from().equals(running)).toList();
    }

    @Override
    public Path download(Offer offer, java.util.function.BiConsumer<Long, Long> progress) {
        Path part = directory.resolve("partial").resolve(offer.name() + ".part");
        UpdateSource.at(url).download(offer, part, progress);
        try {
            UpdateManifest m = UpdatePackage.open(part, Prechecks.keysIn(keys).get()).manifest();
            if (!m.fromVersion().toString().equals(offer.from()) || !m.toVersion().toString().equals(offer.to())) {
                throw new PackageException("it holds " + m.fromVersion() + " -> " + m.toVersion() + ", not what its name says");
            }
            Path kept = install(part);
            Files.deleteIfExists(part);
            return kept;
        } catch (PackageException e) {
            try {
                Files.deleteIfExists(part); // a bad download is never offered, nor resumed
            } catch (IOException ignored) {
                // said below either way
            }
            throw new PackageException("the downloaded " + offer.name() + " was deleted: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new PackageException("cannot remove the partial download " + part + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<Path> packages() {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(directory)) {
            return s.filter(p -> p.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(p))
                    .sorted(Comparator.comparing(UpdateService::modified)).toList();
        } catch (IOException e) {
            throw new PackageException("cannot list " + directory + ": " + e.getMessage(), e);
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** This machine and container, as the prechecks read them. */
    private final class Host implements Prechecks.Machine {
        @Override
        public String runningVersion() {
            return product.version();
        }

        @Override
        public OptionalLong memoryMb() {
            try {
                return Prechecks.memTotalMb(Files.readAllLines(Paths.get("/proc/meminfo")));
            } catch (IOException e) {
                return OptionalLong.empty();
            }
        }

        @Override
        public long usableBytes(Path dir) throws IOException {
            return Files.getFileStore(dir).getUsableSpace();
        }

        @Override
        public OptionalLong databaseBytes() {
            DataSource ds = dataSource;
            if (ds == null) {
                return OptionalLong.empty();
            }
            try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT pg_database_size(current_database())")) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            } catch (Exception e) {
                return OptionalLong.empty();
            }
        }

        @Override
        public Path home() {
            return Paths.get(System.getProperty("karaf.home", "."));
        }

        @Override
        public Optional<org.portcullis.updater.spi.ClusterNodes> cluster() {
            return Optional.ofNullable(cluster);
        }
    }
}
