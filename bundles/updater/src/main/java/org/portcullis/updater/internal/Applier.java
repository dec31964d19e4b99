package org.portcullis.updater.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.apache.karaf.features.Feature;
import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.features.Repository;
import org.osgi.framework.Bundle;
import org.portcullis.core.MaintenanceMode;
import org.portcullis.core.MaintenanceState;
import org.portcullis.storage.Migration;
import org.portcullis.storage.MigrationScripts;
import org.portcullis.storage.UpdateDatabase;
import org.portcullis.updater.internal.Journal.State;
import org.portcullis.updater.internal.Services.Stopped;
import org.portcullis.updater.internal.Services.UpdateFailure;
import org.portcullis.updater.pkg.PackageException;
import org.portcullis.updater.pkg.PackageWriter;
import org.portcullis.updater.pkg.UpdateManifest;
import org.portcullis.updater.pkg.UpdatePackage;

/**
 * Runs one update from its journal: forward through the steps, each written to the journal
 * before it acts and each safe to run again, or back to the old version. Before the database
 * commits, any failure, and any restart of the container, rolls the update back; after it, the
 * update only goes forward. When this bundle is itself swapped mid-update, its successor reads
 * the journal and carries on (same JVM: forward; another JVM, after a crash: the rule above).
 */
final class Applier implements Runnable {

    static final String BY = "updater";
    private static final Duration SWAP_WAIT = Duration.ofSeconds(240);
    private static final Duration SERVICE_WAIT = Duration.ofSeconds(120);
    private static final int MAX_ATTEMPTS = 3;

    private final Services services;
    private final Journal journal;
    private final UpdateLog log;
    private final List<java.security.PublicKey> trusted;
    private final boolean restarted;
    private final OsRuns os;
    private final ServiceSteps controlled;
    private final java.util.Optional<MailQueue> queue;

    /**
     * @param restarted the journal was left by another JVM (a crash or restart), not by this
     *        bundle's predecessor in this one
     */
    Applier(Services services, Journal journal, UpdateLog log, List<java.security.PublicKey> trusted, boolean restarted, OsRuns.Settings os,
            java.util.Optional<MailQueue> queue) {
        this.queue = queue;
        this.services = services;
        this.os = new OsRuns(os, journal, log, services, this::save);
        this.controlled = new ServiceSteps(services, journal, log, this::save, SERVICE_WAIT);
        this.journal = journal;
        this.log = log;
        this.trusted = trusted;
        this.restarted = restarted;
    }

    @Override
    public void run() {
        try {
            if (journal.state() == State.ROLLING_BACK) {
                rollBackOrStop(journal.message());
                return;
            }
            if (restarted && journal.committed()) {
                log.line(" * The container restarted during " + step(journal.step()) + ", after the database committed " + journal.to()
                        + ": going forward");
            } else if (restarted) {
                Boolean committed = databaseCommitted(Duration.ofMinutes(5));
                if (committed == null) {
                    stop("the container restarted during " + step(journal.step()) + " and the database does not answer, so it cannot say whether "
                            + journal.to() + " committed: nothing was rolled back; maintenance stays on (update:status, or restart once the database answers)");
                    return;
                }
                if (committed) {
                    journal.committed(true);
                    save();
                    log.line(" * The container restarted during " + step(journal.step()) + "; the database had committed "
                            + journal.to() + ": going forward");
                } else {
                    rollBack("the container restarted during " + step(journal.step()) + ", before the database committed");
                    return;
                }
            }
            forward();
        } catch (Stopped s) {
            // this component was stopped (the update swapped this bundle): the next one carries on
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    private void failed(RuntimeException e) {
        String reason = e instanceof UpdateFailure || e instanceof PackageException ? e.getMessage() : e.toString();
        if (!journal.committed() && journal.step().ordinal() >= Step.DATABASE.ordinal()) {
            // The commit may have happened although the call failed (a connection lost during COMMIT):
            // only the database can say, and without its answer nothing is rolled back.
            Boolean committed = databaseCommitted(Duration.ofMinutes(1));
            if (committed == null) {
                stop("at " + step(journal.step()) + ": " + reason + "; the database cannot say whether it committed " + journal.to()
                        + ", so nothing was rolled back: maintenance stays on; update:status once the database answers");
                return;
            }
            if (committed) {
                journal.committed(true);
                save();
                log.line(" * The database had committed " + journal.to() + " although " + step(journal.step()) + " failed (" + reason + "): going forward");
                try {
                    forward();
                } catch (Stopped s) {
                    // the successor carries on
                } catch (RuntimeException again) {
                    stop("at " + step(journal.step()) + ": " + (again.getMessage() == null ? again.toString() : again.getMessage())
                            + "; the database has committed " + journal.to() + ": maintenance stays on until this is fixed (update:status)");
                }
                return;
            }
        }
        if (journal.committed()) {
            stop("at " + step(journal.step()) + ": " + reason + "; the database has committed " + journal.to()
                    + ", so the update goes no further back: maintenance stays on until this is fixed (update:status)");
        } else {
            rollBackOrStop("at " + step(journal.step()) + ": " + reason);
        }
    }

    /** Rolls back; a rollback that fails stops where it is (it is never taken for a failure of the update itself). */
    private void rollBackOrStop(String reason) {
        try {
            rollBack(reason);
        } catch (Stopped s) {
            // the successor finishes the rollback
        } catch (RuntimeException again) {
            stop("rolling back: " + (again.getMessage() == null ? again.toString() : again.getMessage()) + " (after: " + journal.message() + ")");
        }
    }

    private void forward() {
        UpdateManifest m = manifest();
        for (Step s : Step.values()) {
            if (s.ordinal() < journal.step().ordinal() || s == Step.PRECHECK) {
                continue;
            }
            services.checkActive();
            if (journal.begin(s) > MAX_ATTEMPTS) {
                stop("step " + step(s) + " was started " + MAX_ATTEMPTS + " times without finishing (the container keeps stopping there)");
                return;
            }
            save();
            switch (s) {
                case MAINTENANCE -> maintenanceOn();
                case DRAIN -> drain();
                case HOLD -> hold();
                case STOP -> controlled.stop();
                case OS -> os.forward(m, pinned());
                case REPOSITORY -> repository(m);
                case FEATURES -> features(m);
                case DATABASE -> database(m);
                case RELEASE -> release();
                case START -> controlled.start();
                case SETTINGS -> settings(m);
                case HEALTH -> health();
                case RESTORE -> restoreMaintenance(" * Starting mail: ");
                case DONE -> done();
                default -> {
                }
            }
        }
    }

    // ---- the steps ----------------------------------------------------------------------------

    static void header(UpdateLog log, String from, String to) {
        String node;
        try {
            node = InetAddress.getLocalHost().getHostAddress();
        } catch (IOException e) {
            node = "127.0.0.1";
        }
        log.line("[" + node + "] Install revision " + to);
        log.line("001: Install System Update " + to + " started ...");
        log.line("002: Current Version: " + from);
        log.line("003: Searching for unapplied updates from " + from + " to " + to);
        log.line("004: Installing System Update " + to);
        log.line("005: Starting Installer ...");
    }

    private void maintenanceOn() {
        MaintenanceMode mode = services.await(MaintenanceMode.class, SERVICE_WAIT);
        if (journal.get("maintenance.before").isEmpty()) {
            MaintenanceState before = mode.state();
            journal.set("maintenance.before", before.active() ? "on" : "off");
            journal.set("maintenance.before.reason", before.reason());
            journal.set("maintenance.before.by", before.by());
            save();
        }
        try {
            mode.enable("update " + journal.from() + " -> " + journal.to(), BY);
        } catch (IOException e) {
            throw new UpdateFailure("maintenance mode cannot be switched on: " + e.getMessage(), e);
        }
        log.line(" * Stopping mail: maintenance on, new mail gets 4xx and senders retry");
    }

    /** Waits, in maintenance mode, until Postfix has handed on what it is handing on now. */
    private void drain() {
        if (queue.isEmpty()) {
            return;
        }
        MailQueue q = queue.get();
        MailQueue.Counts[] now = new MailQueue.Counts[1];
        String[] error = {""};
        java.util.function.BooleanSupplier drained = () -> {
            try {
                now[0] = q.read();
                error[0] = "";
                return now[0].pending() == 0;
            } catch (IOException e) {
                error[0] = e.getMessage();
                return false;
            }
        };
        if (drained.getAsBoolean()) {
            log.line(" * Postfix's incoming and active queues are empty");
            return;
        }
        if (error[0].isEmpty()) {
            log.line(" * Waiting up to " + q.drain().toSeconds() + " s for Postfix's queues to drain: " + now[0].describe());
        }
        long start = System.nanoTime();
        services.until(() -> error[0].isEmpty() ? "Postfix's incoming and active queues draining (left: " + now[0].describe() + ")"
                : "an answer from " + q.command() + " (" + error[0] + ")", q.drain(), drained);
        log.line("   drained in " + (System.nanoTime() - start) / 1_000_000 + " ms");
    }

    private void hold() {
        try {
            services.await(UpdateDatabase.class, SERVICE_WAIT).holdMigrations("update " + journal.from() + " -> " + journal.to());
        } catch (org.portcullis.storage.StorageException e) {
            throw new UpdateFailure(e.getMessage(), e);
        }
        log.line(" * Stopping " + String.join(", ", schemaOwners().keySet()) + " (their schema migrations are held until the database commits)");
    }

    private void repository(UpdateManifest m) {
        Path system = Paths.get(System.getProperty("karaf.home", "."), "system");
        int copied = 0;
        try {
            UpdatePackage pkg = pinned();
            for (UpdateManifest.FileEntry f : m.files()) {
                if (!f.path().startsWith("repository/")) {
                    continue;
                }
                Path target = system.resolve(f.path().substring("repository/".length()));
                if (Files.isRegularFile(target) && Files.size(target) == f.size() && PackageWriter.hash(target).equals(f.sha256())) {
                    continue;
                }
                pkg.extract(f.path(), target);
                copied++;
            }
        } catch (IOException e) {
            throw new UpdateFailure("cannot copy the bundles into " + system + ": " + e.getMessage(), e);
        }
        log.line("   " + copied + " repository files copied into system/");
    }

    private void features(UpdateManifest m) {
        FeaturesService fs = services.await(FeaturesService.class, SERVICE_WAIT);
        if (journal.get("bundles.before").isEmpty()) {
            journal.set("bundles.before", portcullisBundles());
            save();
        }
        URI repo = URI.create(m.featureRepository());
        Set<String> wanted;
        try {
            if (repository(fs, repo) == null) {
                fs.addRepository(repo);
            }
            wanted = upgradeSet(fs, repository(fs, repo), m.features());
            journal.set("features", String.join(",", wanted));
            save();
            if (!installed(fs, wanted)) {
                fs.installFeatures(wanted, EnumSet.of(FeaturesService.Option.Upgrade));
            }
        } catch (Stopped s) {
            throw s;
        } catch (Exception e) {
            services.checkActive();
            throw new UpdateFailure("the features did not upgrade: " + e.getMessage(), e);
        }
        services.checkActive();
        FeaturesService now = services.await(FeaturesService.class, SERVICE_WAIT);
        services.until("the upgrade of " + wanted, SWAP_WAIT, () -> installed(now, wanted));
        log.line("   bundles swapped: " + changedBundles(journal.get("bundles.before"), portcullisBundles()));
        // before the commit: a bundle of the new version that does not start rolls the update back
        removeStrays(newest());
        bundlesActive();
    }

    private void database(UpdateManifest m) {
        Boolean committed = databaseCommitted(SERVICE_WAIT);
        if (committed == null) {
            throw new UpdateFailure("the database did not answer within " + SERVICE_WAIT.toSeconds() + " s");
        }
        log.line(" * Starting postgresql");
        log.line(" * Database updates...");
        try {
            if (!committed) {
                UpdateDatabase db = services.await(UpdateDatabase.class, SERVICE_WAIT);
                Map<String, List<Migration>> bySchema = migrations(m);
                Map<String, Integer> versions = db.commitUpdate(bySchema, journal.from(), journal.to());
                log.line("   " + m.migrations().size() + " migrations and the product version " + journal.to() + " committed in one transaction"
                        + (m.migrations().isEmpty() ? "" : ": " + m.migrations().stream().map(x -> x.artifact() + " " + x.script())
                                .collect(Collectors.joining(", ")))
                        + "; schema versions " + versions);
            }
        } catch (org.portcullis.storage.StorageException e) {
            throw new UpdateFailure(e.getMessage(), e);
        }
        journal.committed(true);
        save();
    }

    private void release() {
        try {
            services.await(UpdateDatabase.class, SERVICE_WAIT).releaseMigrations();
        } catch (org.portcullis.storage.StorageException e) {
            throw new UpdateFailure(e.getMessage(), e);
        }
        log.line(" * Starting " + String.join(", ", schemaOwners().keySet()) + " (schema migrations released)");
    }

    private void settings(UpdateManifest m) {
        Path etc = Paths.get(System.getProperty("karaf.etc", "etc"));
        try {
            UpdatePackage pkg = pinned();
            for (UpdateManifest.FileEntry f : m.files()) {
                if (!f.path().startsWith("etc/")) {
                    continue;
                }
                Path target = etc.resolve(f.path().substring(4));
                if (f.path().equals("etc/org.apache.karaf.features.cfg") || f.path().equals("etc/profile.cfg")) {
                    bootFeatures(target);
                } else if (!Files.exists(target)) {
                    pkg.extract(f.path(), target);
                    log.line("   new setting file " + f.path() + " (its defaults)");
                } else if (!PackageWriter.hash(target).equals(f.sha256())) {
                    if (f.path().endsWith(".cfg")) {
                        mergeSettings(pkg, f, target);
                    } else {
                        log.line("   kept your " + f.path() + "; " + journal.to() + " ships another (in the package, for comparison)");
                    }
                }
            }
        } catch (IOException e) {
            throw new UpdateFailure("cannot write the settings: " + e.getMessage(), e);
        }
    }

    /** The admin's values stay; keys new in the new version get their defaults; keys it no longer ships are named. */
    private void mergeSettings(UpdatePackage pkg, UpdateManifest.FileEntry f, Path target) throws IOException {
        Path shipped = Files.createTempFile(journal.file().getParent(), ".shipped-", ".tmp");
        Path before = Files.createTempFile(journal.file().getParent(), ".before-", ".tmp");
        try {
            pkg.extract(f.path(), shipped);
            String beforePath = "etc-before/" + f.path().substring("etc/".length());
            String old = null;
            if (pkg.manifest().file(beforePath) != null) {
                pkg.extract(beforePath, before);
                old = Files.readString(before);
            }
            SettingsMerge.Result r = SettingsMerge.merge(Files.readString(target), Files.readString(shipped), old);
            if (r.text() != null) {
                org.portcullis.core.AtomicFiles.write(target, out -> out.write(r.text().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                log.line("   " + f.path() + ": your values kept; new in " + journal.to() + " with its default: " + String.join(", ", r.added()));
            } else {
                log.line("   " + f.path() + ": your values kept");
            }
            if (!r.unknown().isEmpty()) {
                log.warn("   " + f.path() + ": " + journal.to() + " no longer ships " + String.join(", ", r.unknown())
                        + " (kept in the file, though " + journal.to() + " may not read it)");
            }
        } finally {
            Files.deleteIfExists(shipped);
            Files.deleteIfExists(before);
        }
    }

    /**
     * Karaf's own records of the features (featuresRepositories and featuresBoot, and the
     * assembly's profile) name the new version, so a start from a clean data/ boots it.
     */
    private void bootFeatures(Path cfg) throws IOException {
        if (!Files.isRegularFile(cfg)) {
            return;
        }
        String text = Files.readString(cfg);
        // featuresBoot names the version as OSGi writes it (0.1.0.SNAPSHOT), the repository as Maven does (0.1.0-SNAPSHOT)
        String updated = text.replace("portcullis-features/" + journal.from() + "/", "portcullis-features/" + journal.to() + "/")
                .replace("portcullis/" + osgi(journal.from()), "portcullis/" + osgi(journal.to()))
                .replace("portcullis/" + journal.from(), "portcullis/" + journal.to());
        if (!updated.equals(text)) {
            org.portcullis.core.AtomicFiles.write(cfg, out -> out.write(updated.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            log.line("   etc/" + cfg.getFileName() + " names the features of " + journal.to());
        }
    }

    private void health() {
        removeStrays(newest());
        checkHealth();
    }

    /**
     * Every Portcullis bundle active (one a deployment left resolved, for instance because a
     * refresh caught it starting, is started), and storage, accounts and lists registered.
     */
    private void checkHealth() {
        bundlesActive();
        for (String type : List.of("org.portcullis.storage.SchemaMigrator", "org.portcullis.auth.Accounts", "org.portcullis.policy.ListPolicy")) {
            services.until("the " + type.substring(type.lastIndexOf('.') + 1) + " service", SERVICE_WAIT,
                    () -> services.context().getServiceReference(type) != null);
        }
        log.line(" * Health check: every Portcullis bundle active, storage, accounts and lists answer");
    }

    /** Every Portcullis bundle active; one a deployment left resolved (a refresh caught it starting) is started. */
    private void bundlesActive() {
        services.until(() -> "every Portcullis bundle active (still inactive: " + String.join(", ", inactive()) + ")", SERVICE_WAIT, () -> {
            for (Bundle b : services.context().getBundles()) {
                if (inactive().contains(b.getSymbolicName()) && (b.getState() == Bundle.RESOLVED || b.getState() == Bundle.INSTALLED)) {
                    try {
                        b.start();
                    } catch (org.osgi.framework.BundleException | IllegalStateException e) {
                        // tried again on the next round, until the deadline names it
                    }
                }
            }
            return inactive().isEmpty();
        });
    }

    private void restoreMaintenance(String prefix) {
        MaintenanceMode mode = services.await(MaintenanceMode.class, SERVICE_WAIT);
        try {
            if ("on".equals(journal.get("maintenance.before"))) {
                mode.enable(journal.get("maintenance.before.reason"), journal.get("maintenance.before.by"));
                log.line(prefix + "maintenance stays on, as it was before the update");
            } else if (!journal.get("maintenance.before").isEmpty()) {
                mode.disable();
                log.line(prefix + "maintenance off, mail flows");
            }
        } catch (IOException e) {
            throw new UpdateFailure("maintenance mode cannot be restored: " + e.getMessage(), e);
        }
    }

    private void done() {
        log.line(" * Backups made on " + journal.from() + " cannot be restored on " + journal.to() + ": make one now with backup:create");
        log.line("Done. Installation Complete.");
        finish(State.DONE, "");
        log.line(UpdateLog.LAST + "OK");
    }

    // ---- rolling back and stopping ------------------------------------------------------------

    private void rollBack(String reason) {
        if (journal.state() != State.ROLLING_BACK) {
            journal.state(State.ROLLING_BACK);
            journal.message(reason);
            save();
            log.warn(" * FAILED " + reason);
            log.line(" * Rolling back to " + journal.from());
        }
        int attempts = Integer.parseInt(journal.get("rollback.attempts").isEmpty() ? "0" : journal.get("rollback.attempts")) + 1;
        journal.set("rollback.attempts", Integer.toString(attempts));
        // each swap back to the old updater starts the rollback once more, so this counts starts beyond those
        if (attempts > MAX_ATTEMPTS + 3) {
            stop("the rollback was started " + attempts + " times without finishing");
            return;
        }
        save();
        Step reached = journal.step();
        if (reached.ordinal() >= Step.FEATURES.ordinal()) {
            featuresBack();
        }
        if (reached.ordinal() >= Step.OS.ordinal()) {
            os.back(manifest());
        }
        if (reached.ordinal() >= Step.HOLD.ordinal()) {
            try {
                services.await(UpdateDatabase.class, SERVICE_WAIT).releaseMigrations();
            } catch (org.portcullis.storage.StorageException e) {
                throw new UpdateFailure(e.getMessage(), e);
            }
            log.line(" * Starting " + String.join(", ", schemaOwners().keySet()) + " (schema migrations released; the database was not changed)");
        }
        if (reached.ordinal() >= Step.STOP.ordinal()) {
            controlled.start();
        }
        if (reached.ordinal() >= Step.FEATURES.ordinal()) {
            checkHealth();
        }
        if (reached.ordinal() >= Step.MAINTENANCE.ordinal()) {
            restoreMaintenance(" * Starting mail: ");
        }
        finish(State.ROLLED_BACK, journal.message());
        log.warn(UpdateLog.LAST + "FAILED, rolled back to " + journal.from() + ": " + journal.message());
    }

    private void featuresBack() {
        FeaturesService fs = services.await(FeaturesService.class, SERVICE_WAIT);
        URI oldRepo = URI.create("mvn:org.portcullis/portcullis-features/" + journal.from() + "/xml/features");
        URI newRepo = URI.create(manifest().featureRepository());
        try {
            Repository old = repository(fs, oldRepo);
            if (old == null) {
                throw new UpdateFailure("the old features repository " + oldRepo + " is not registered");
            }
            Set<String> names = new LinkedHashSet<>();
            for (String f : journal.get("features").isEmpty() ? manifest().features() : List.of(journal.get("features").split(","))) {
                names.add(f.contains("/") ? f.substring(0, f.indexOf('/')) : f);
            }
            Set<String> back = upgradeSet(fs, old, new ArrayList<>(names));
            if (!installed(fs, back)) {
                fs.installFeatures(back, EnumSet.of(FeaturesService.Option.Upgrade));
            }
            services.checkActive();
            FeaturesService now = services.await(FeaturesService.class, SERVICE_WAIT);
            services.until("the return to " + back, SWAP_WAIT, () -> installed(now, back));
            if (repository(now, newRepo) != null) {
                now.removeRepository(newRepo, false);
            }
        } catch (Stopped | UpdateFailure e) {
            throw e;
        } catch (Exception e) {
            services.checkActive();
            throw new UpdateFailure("the old features did not come back: " + e.getMessage(), e);
        }
        // no record: the update stopped before it touched a bundle
        if (!journal.get("bundles.before").isEmpty()) {
            removeStrays(parse(journal.get("bundles.before")));
        }
        String left = journal.get("bundles.before").isEmpty() ? "none" : changedBundles(journal.get("bundles.before"), portcullisBundles());
        if (!left.equals("none")) {
            throw new UpdateFailure("the bundles of " + journal.from() + " did not all come back: " + left);
        }
        log.line(" * Installing the bundles of " + journal.from() + " again: every Portcullis bundle is back at its version");
    }

    /** Stops where it is: maintenance stays on (mail waits at the senders), the journal says why. */
    private void stop(String reason) {
        journal.message(reason);
        journal.state(State.STOPPED);
        save();
        log.warn(" * STOPPED " + reason);
        releaseIfSafe();
        log.warn(UpdateLog.LAST + "STOPPED: maintenance stays on; see update:status");
    }

    /**
     * A stopped update keeps mail off, but should not keep the admin out: accounts (and so SSH,
     * REST and the update: commands) need the schema migrations the hold withdraws. The hold is
     * released when that cannot let a bundle migrate ahead of the commit: the database has
     * committed (the new bundles find nothing to do), or every Portcullis bundle is the old one.
     */
    private void releaseIfSafe() {
        try {
            boolean asBefore = journal.get("bundles.before").isEmpty() || changedBundles(journal.get("bundles.before"), portcullisBundles()).equals("none");
            if (journal.committed() || asBefore) {
                services.await(UpdateDatabase.class, Duration.ofSeconds(30)).releaseMigrations();
                log.line(" * Schema migrations released (" + (journal.committed() ? "the database has committed" : "the bundles are the old ones")
                        + "): accounts, SSH and REST work");
            } else {
                log.warn(" * Schema migrations stay held: bundles of " + journal.to() + " are installed and the database has not committed;"
                        + " only the local console works until this is fixed");
            }
        } catch (RuntimeException | org.portcullis.storage.StorageException e) {
            log.warn(" * Schema migrations stay held: " + e.getMessage());
        }
    }

    private void finish(State state, String message) {
        journal.state(state);
        journal.message(message);
        save();
        try {
            Path history = journal.file().resolveSibling("history");
            Files.createDirectories(history);
            Files.move(journal.file(), history.resolve(journal.from() + "-" + journal.to() + "-" + journal.id() + ".properties"));
        } catch (IOException e) {
            log.line(" * (the journal could not be moved to history/: " + e.getMessage() + ")");
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** The package, verified, refused if it is no longer the one the update started with. */
    private UpdatePackage pinned() {
        UpdatePackage pkg = UpdatePackage.open(journal.packageFile(), trusted);
        String pinned = journal.get("manifest.sha256");
        if (!pinned.isEmpty() && !pinned.equals(PackageWriter.hash(pkg.manifest().toBytes()))) {
            throw new UpdateFailure("the package " + journal.packageFile() + " was replaced during the update");
        }
        return pkg;
    }

    private UpdateManifest manifest() {
        return pinned().manifest();
    }

    private void save() {
        services.checkActive();
        try {
            journal.save();
        } catch (IOException e) {
            throw new UpdateFailure("the journal cannot be written: " + e.getMessage(), e);
        }
    }

    /**
     * Whether the database is at the new version, or {@code null} when it does not answer within
     * {@code wait} (after a restart it may still be starting).
     */
    private Boolean databaseCommitted(Duration wait) {
        try {
            UpdateDatabase db = services.await(UpdateDatabase.class, SERVICE_WAIT);
            String[] version = new String[1];
            services.until("the database answering (to tell whether the update committed)", wait, () -> {
                try {
                    version[0] = db.productVersion().orElse("");
                    return true;
                } catch (org.portcullis.storage.StorageException e) {
                    return false;
                }
            });
            return journal.to().equals(version[0]);
        } catch (UpdateFailure e) {
            return null;
        }
    }

    /** A product version as an OSGi version: the qualifier after a dot, not a hyphen. */
    static String osgi(String version) {
        return version.replaceFirst("-", ".");
    }

    private static String step(Step s) {
        return s.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static Repository repository(FeaturesService fs, URI uri) throws Exception {
        for (Repository r : fs.listRepositories()) {
            if (r.getURI().equals(uri)) {
                return r;
            }
        }
        return null;
    }

    /**
     * The features to install from {@code repo}, as name/version: {@code names}, and every
     * feature the admin installed from an older Portcullis repository that {@code repo} defines too.
     */
    private static Set<String> upgradeSet(FeaturesService fs, Repository repo, List<String> names) throws Exception {
        Map<String, Feature> defined = new TreeMap<>();
        for (Feature f : repo.getFeatures()) {
            defined.put(f.getName(), f);
        }
        Set<String> wanted = new LinkedHashSet<>(names);
        for (Set<String> region : fs.listRequirements().values()) {
            for (String req : region) {
                if (req.startsWith("feature:")) {
                    String name = req.substring(8).split("/", 2)[0];
                    if (name.startsWith("portcullis") && defined.containsKey(name)) {
                        wanted.add(name);
                    }
                }
            }
        }
        Set<String> out = new LinkedHashSet<>();
        for (String name : wanted) {
            Feature f = defined.get(name);
            if (f == null) {
                throw new UpdateFailure("feature " + name + " is not in " + repo.getURI());
            }
            out.add(f.getName() + "/" + f.getVersion());
        }
        return out;
    }

    private static boolean installed(FeaturesService fs, Set<String> features) {
        try {
            for (String f : features) {
                String[] nv = f.split("/", 2);
                Feature feature = fs.getFeature(nv[0], nv[1]);
                if (feature == null || !fs.isInstalled(feature)) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** name=version of every Portcullis bundle, sorted; a name installed twice shows both ({@code core=0.1.0+0.2.0}). */
    private String portcullisBundles() {
        Map<String, java.util.SortedSet<String>> m = new TreeMap<>();
        for (Bundle b : services.context().getBundles()) {
            if (b.getSymbolicName() != null && b.getSymbolicName().startsWith("org.portcullis.") && b.getState() != Bundle.UNINSTALLED) {
                m.computeIfAbsent(b.getSymbolicName().substring("org.portcullis.".length()), k -> new java.util.TreeSet<>()).add(b.getVersion().toString());
            }
        }
        return m.entrySet().stream().map(e -> e.getKey() + "=" + String.join("+", e.getValue())).collect(Collectors.joining(","));
    }

    /**
     * Uninstalls the Portcullis bundles of a version that must not run, where the one that must
     * is installed too. Karaf's record of what it installed is not written atomically, so after
     * a kill in the middle of a deployment it can forget bundles it put there, and it never
     * removes what it does not remember; the journal does remember. {@code keep} maps a bundle
     * name to the version to keep; names not in it are left alone.
     */
    private void removeStrays(Map<String, String> keep) {
        List<Bundle> strays = new ArrayList<>();
        List<Bundle> refresh = new ArrayList<>();
        Bundle[] all = services.context().getBundles();
        for (Bundle b : all) {
            String sn = b.getSymbolicName();
            if (sn == null || !sn.startsWith("org.portcullis.") || b.getState() == Bundle.UNINSTALLED) {
                continue;
            }
            String name = sn.substring("org.portcullis.".length());
            String wanted = keep.get(name);
            if (wanted != null && !wanted.equals(b.getVersion().toString())) {
                java.util.Arrays.stream(all).filter(o -> sn.equals(o.getSymbolicName()) && wanted.equals(o.getVersion().toString())).findFirst()
                        .ifPresent(kept -> {
                            strays.add(b);
                            // restarted too: the shell keeps one registration per command name, and the stray's
                            // leaving takes the kept bundle's commands with it
                            refresh.add(kept);
                        });
            }
        }
        refresh.addAll(strays);
        if (strays.isEmpty()) {
            return;
        }
        // said first: the refresh below can restart this bundle too, and its successor carries on
        log.line("   removing " + strays.stream().map(b -> b.getSymbolicName().substring("org.portcullis.".length()) + " " + b.getVersion())
                .collect(Collectors.joining(", ")) + " (left by an interrupted deployment)");
        // stopped first, each to the end of its deactivation (a stray storage bundle closes its embedded
        // PostgreSQL there), so the kept bundles restarted below do not race it for the same port and directory
        for (Bundle b : strays) {
            try {
                b.stop();
            } catch (org.osgi.framework.BundleException | IllegalStateException e) {
                // uninstalling stops it too
            }
        }
        for (Bundle b : strays) {
            try {
                b.uninstall();
            } catch (org.osgi.framework.BundleException | IllegalStateException e) {
                throw new UpdateFailure("cannot remove " + b.getSymbolicName() + " " + b.getVersion() + ": " + e.getMessage(), e);
            }
        }
        java.util.concurrent.CountDownLatch refreshed = new java.util.concurrent.CountDownLatch(1);
        services.context().getBundle(0).adapt(org.osgi.framework.wiring.FrameworkWiring.class).refreshBundles(refresh, e -> refreshed.countDown());
        try {
            if (!refreshed.await(2, java.util.concurrent.TimeUnit.MINUTES)) {
                throw new UpdateFailure("the framework did not finish refreshing after removing " + strays.size() + " bundles");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopped();
        }
    }

    /** For each Portcullis bundle name, its highest installed version: what an update that went forward keeps. */
    private Map<String, String> newest() {
        Map<String, org.osgi.framework.Version> m = new TreeMap<>();
        for (Bundle b : services.context().getBundles()) {
            String sn = b.getSymbolicName();
            if (sn != null && sn.startsWith("org.portcullis.") && b.getState() != Bundle.UNINSTALLED) {
                m.merge(sn.substring("org.portcullis.".length()), b.getVersion(), (x, y) -> x.compareTo(y) >= 0 ? x : y);
            }
        }
        Map<String, String> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.toString()));
        return out;
    }

    static String changedBundles(String before, String after) {
        Map<String, String> b = parse(before);
        Map<String, String> a = parse(after);
        List<String> changes = new ArrayList<>();
        for (var e : a.entrySet()) {
            String was = b.get(e.getKey());
            if (was == null) {
                changes.add(e.getKey() + " " + e.getValue() + " (new)");
            } else if (!was.equals(e.getValue())) {
                changes.add(e.getKey() + " " + was + " -> " + e.getValue());
            }
        }
        b.keySet().stream().filter(k -> !a.containsKey(k)).forEach(k -> changes.add(k + " (removed)"));
        return changes.isEmpty() ? "none" : changes.size() + ": " + String.join(", ", changes);
    }

    private static Map<String, String> parse(String list) {
        Map<String, String> m = new TreeMap<>();
        for (String item : list.split(",")) {
            int eq = item.indexOf('=');
            if (eq > 0) {
                m.put(item.substring(0, eq), item.substring(eq + 1));
            }
        }
        return m;
    }

    private List<String> inactive() {
        List<String> out = new ArrayList<>();
        for (Bundle b : services.context().getBundles()) {
            boolean fragment = b.getHeaders().get("Fragment-Host") != null;
            if (b.getSymbolicName() != null && b.getSymbolicName().startsWith("org.portcullis.")
                    && b.getState() != Bundle.ACTIVE && !(fragment && b.getState() == Bundle.RESOLVED)) {
                out.add(b.getSymbolicName());
            }
        }
        return out;
    }

    /** The bundles that own a schema (Portcullis-Schema header), by schema. */
    private Map<String, Bundle> schemaOwners() {
        Map<String, Bundle> out = new TreeMap<>();
        for (Bundle b : services.context().getBundles()) {
            String schema = b.getHeaders().get(MigrationScripts.SCHEMA_HEADER);
            if (schema != null && b.getState() != Bundle.UNINSTALLED) {
                Bundle other = out.put(schema.trim(), b);
                if (other != null && other.getVersion().compareTo(b.getVersion()) > 0) {
                    out.put(schema.trim(), other); // during a swap both may be there for a moment: the newer counts
                }
            }
        }
        return out;
    }

    /** Every schema's migrations from the new bundles, checked against what the package says it brings. */
    private Map<String, List<Migration>> migrations(UpdateManifest m) {
        Map<String, List<Migration>> bySchema = new TreeMap<>();
        Map<String, Bundle> owners = schemaOwners();
        for (var e : owners.entrySet()) {
            try {
                bySchema.put(e.getKey(), MigrationScripts.fromBundle(e.getValue(), MigrationScripts.FOLDER));
            } catch (org.portcullis.storage.MigrationException ex) {
                throw new UpdateFailure(ex.getMessage(), ex);
            }
        }
        for (UpdateManifest.MigrationEntry entry : m.migrations()) {
            Bundle b = owners.values().stream().filter(x -> x.getSymbolicName().equals("org.portcullis." + entry.artifact())).findFirst()
                    .orElseThrow(() -> new UpdateFailure("the package brings migration " + entry.script() + " of " + entry.artifact()
                            + ", but no installed bundle " + entry.artifact() + " owns a schema"));
            URL url = b.getEntry(MigrationScripts.FOLDER + "/" + entry.script());
            if (url == null) {
                throw new UpdateFailure("bundle " + entry.artifact() + " " + b.getVersion() + " has no migration " + entry.script()
                        + ", which the package says it brings");
            }
            try (InputStream in = url.openStream()) {
                if (!PackageWriter.hash(in.readAllBytes()).equals(entry.sha256())) {
                    throw new UpdateFailure("migration " + entry.script() + " of bundle " + entry.artifact() + " differs from the package's");
                }
            } catch (IOException ex) {
                throw new UpdateFailure("cannot read migration " + entry.script() + " of " + entry.artifact() + ": " + ex.getMessage(), ex);
            }
        }
        return bySchema;
    }
}
