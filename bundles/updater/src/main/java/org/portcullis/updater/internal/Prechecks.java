package org.portcullis.updater.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Supplier;

import org.portcullis.updater.Check;
import org.portcullis.updater.pkg.PackageException;
import org.portcullis.updater.pkg.ProductVersion;
import org.portcullis.updater.pkg.SigningKeys;
import org.portcullis.updater.pkg.UpdateManifest;
import org.portcullis.updater.pkg.UpdatePackage;
import org.portcullis.updater.spi.ClusterNodes;
import org.portcullis.updater.spi.ControlledService;

/**
 * The checks an update must pass before anything stops (update:precheck). Each is one line;
 * what it reads from the machine comes in through {@link Machine}, so each can be tested.
 */
final class Prechecks {

    /** What the checks read from the machine and the container. */
    interface Machine {
        /** The running product version. */
        String runningVersion();

        /** MemTotal of /proc/meminfo, in MiB, if it can be read. */
        OptionalLong memoryMb();

        /** Usable bytes on the file system that holds {@code dir}. */
        long usableBytes(Path dir) throws IOException;

        /** Size of the database in bytes (what a backup before the update writes), if known. */
        OptionalLong databaseBytes();

        /** The Karaf home whose system/ folder takes the bundles. */
        Path home();

        /** The cluster's nodes, when a cluster bundle registered them; empty: a single node. */
        default java.util.Optional<ClusterNodes> cluster() {
            return java.util.Optional.empty();
        }
    }

    private final Machine machine;
    private final Supplier<List<PublicKey>> trusted;
    private final long memoryOverrideMb;
    private final long reserveBytes;
    private final java.util.Optional<OsStep.Launcher> launcher;
    private final Supplier<List<ControlledService>> controlled;
    private final java.util.Optional<MailQueue> queue;

    Prechecks(Machine machine, Supplier<List<PublicKey>> trusted, long memoryOverrideMb, long reserveMb, java.util.Optional<OsStep.Launcher> launcher,
            Supplier<List<ControlledService>> controlled, java.util.Optional<MailQueue> queue) {
        this.queue = queue;
        this.launcher = launcher;
        this.controlled = controlled;
        this.machine = machine;
        this.trusted = trusted;
        this.memoryOverrideMb = memoryOverrideMb;
        this.reserveBytes = reserveMb << 20;
    }

    List<Check> run(Path file, boolean kept) {
        return run(file, kept, false);
    }

    /** @param clusterTurn this node's turn in a cluster update: other nodes may run the to-version already */
    List<Check> run(Path file, boolean kept, boolean clusterTurn) {
        List<Check> checks = new ArrayList<>();
        UpdateManifest manifest = null;
        try {
            manifest = UpdatePackage.open(file, trusted.get()).manifest();
            checks.add(Check.pass("package", file.getFileName() + ": signature and every file's SHA-256 verify"));
        } catch (PackageException e) {
            checks.add(Check.fail("package", e.getMessage()));
        }
        checks.add(version(manifest));
        checks.add(memory(manifest));
        checks.add(disk(file, manifest, kept));
        checks.add(cluster(manifest, clusterTurn));
        checks.add(osStep(manifest));
        checks.add(services());
        checks.add(queues());
        return checks;
    }

    /**
     * Every node runs the package's from-version (the cluster bundle says which nodes there are);
     * on a node's turn in a cluster update, the nodes whose turn came before run its to-version.
     */
    private Check cluster(UpdateManifest m, boolean clusterTurn) {
        java.util.Optional<ClusterNodes> nodes = machine.cluster();
        if (nodes.isEmpty()) {
            return Check.pass("cluster", "single node: no cluster bundle, no other node to match");
        }
        String want = m == null ? machine.runningVersion() : m.fromVersion().toString();
        String updated = clusterTurn && m != null ? m.toVersion().toString() : want;
        try {
            java.util.Map<String, String> versions = new java.util.TreeMap<>(nodes.get().versions());
            List<String> other = versions.entrySet().stream().filter(e -> !e.getValue().equals(want) && !e.getValue().equals(updated))
                    .map(e -> e.getKey() + " runs " + e.getValue()).toList();
            if (!other.isEmpty()) {
                return Check.fail("cluster", "every node must run " + want + (updated.equals(want) ? "" : " or " + updated) + ": "
                        + String.join(", ", other));
            }
            if (!updated.equals(want)) {
                long done = versions.values().stream().filter(updated::equals).count();
                return Check.pass("cluster", versions.size() + " nodes, this node's turn in a cluster update: " + done + " on " + updated + ", "
                        + (versions.size() - done) + " on " + want);
            }
            return Check.pass("cluster", versions.size() + " nodes, all on " + want + ": " + String.join(", ", versions.keySet()));
        } catch (Exception e) {
            return Check.fail("cluster", "the cluster's node versions cannot be read: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        }
    }

    /** Postfix's queues answer; what is being handed on now is drained in maintenance mode first. */
    private Check queues() {
        if (queue.isEmpty()) {
            return Check.pass("queues", "no Postfix queue to wait for (queue.command; auto found no /etc/postfix/main.cf)");
        }
        try {
            MailQueue.Counts c = queue.get().read();
            if (c.pending() == 0) {
                return Check.pass("queues", "Postfix's incoming and active queues are empty" + (c.other() == 0 ? "" : "; " + c.other() + " deferred or held wait anyway"));
            }
            return Check.pass("queues", c.describe() + ": update:apply switches maintenance on and waits up to " + queue.get().drain().toSeconds()
                    + " s for them to drain, else it stops before anything else");
        } catch (IOException e) {
            return Check.fail("queues", "Postfix's queues cannot be read: " + e.getMessage());
        }
    }

    /** Every service the update stops can be controlled: configured right, and its status answers. */
    private Check services() {
        List<ControlledService> all = controlled.get();
        if (all.isEmpty()) {
            return Check.pass("services", "none to stop and start (org.portcullis.updater.service configurations)");
        }
        List<String> problems = new ArrayList<>();
        List<String> names = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (ControlledService s : all) {
            String problem = s instanceof ConfiguredService c ? c.problem() : "";
            if (!seen.add(s.name())) {
                problem = "two services are named " + s.name();
            }
            names.add(s.name());
            String state = "";
            if (problem.isEmpty()) {
                try {
                    state = s.running() ? "running" : "stopped";
                } catch (Exception e) {
                    problem = "service " + s.name() + ": its status does not answer: " + (e.getMessage() == null ? e.toString() : e.getMessage());
                }
            }
            if (!problem.isEmpty()) {
                problems.add(problem);
            } else {
                names.set(names.size() - 1, s.name() + " (" + (s instanceof ConfiguredService c ? c.how() + ", " : "") + state + ")");
            }
        }
        return problems.isEmpty() ? Check.pass("services", "stopped in this order, started in reverse: " + String.join(", ", names))
                : Check.fail("services", String.join("; ", problems));
    }

    private Check osStep(UpdateManifest m) {
        if (m == null) {
            return Check.fail("os-step", "unknown until the package verifies");
        }
        if (m.osStep().isEmpty()) {
            return Check.pass("os-step", "the package has none");
        }
        if (launcher.isEmpty()) {
            // refused rather than skipped: an update without the OS part it needs is not that update
            return Check.fail("os-step", "the package has an OS step (" + m.osStep() + "), and this machine has neither systemd as PID 1"
                    + " nor setsid to run it outside the container");
        }
        String how = launcher.get() == OsStep.Launcher.SYSTEMD ? "as a transient systemd unit" : "detached by setsid";
        return Check.pass("os-step", m.osStep() + " runs " + how + (m.osUndo().isEmpty()
                ? "; the package has no undo step, so a rollback after it ran leaves its changes" : "; " + m.osUndo() + " undoes it on a rollback"));
    }

    private Check version(UpdateManifest m) {
        String running = machine.runningVersion();
        if (m == null) {
            return Check.fail("version", "running " + running + "; the package's versions are unknown until it verifies");
        }
        if (!m.fromVersion().toString().equals(running)) {
            ProductVersion r = ProductVersion.parse(running);
            String why = r.compareTo(m.toVersion()) >= 0 ? "this appliance already runs " + running + ", not below " + m.toVersion()
                    : "the package updates " + m.fromVersion() + " to " + m.toVersion() + "; this appliance runs " + running
                    + " (one package moves exactly one step)";
            return Check.fail("version", why);
        }
        return Check.pass("version", "running " + running + " is the package's from-version; it installs " + m.toVersion());
    }

    private Check memory(UpdateManifest m) {
        long need = memoryOverrideMb >= 0 ? memoryOverrideMb : m == null ? 4096 : m.minMemoryMb();
        String source = memoryOverrideMb >= 0 ? "memory.min.mb" : m == null ? "the default" : "the package";
        OptionalLong have = machine.memoryMb();
        if (have.isEmpty()) {
            return Check.fail("memory", "MemTotal cannot be read from /proc/meminfo; " + source + " asks " + need + " MiB");
        }
        if (have.getAsLong() < need) {
            return Check.fail("memory", have.getAsLong() + " MiB, " + source + " asks at least " + need + " MiB");
        }
        return Check.pass("memory", have.getAsLong() + " MiB, at least the " + need + " MiB " + source + " asks");
    }

    private Check disk(Path file, UpdateManifest m, boolean kept) {
        long unpacked = 0;
        long packageBytes = 0;
        try {
            packageBytes = Files.size(file);
        } catch (IOException e) {
            // the package check has said why
        }
        if (m != null) {
            for (UpdateManifest.FileEntry f : m.files()) {
                unpacked += f.size();
            }
        }
        OptionalLong db = machine.databaseBytes();
        long need = unpacked + (kept ? 0 : packageBytes) + db.orElse(0) + reserveBytes;
        try {
            long have = machine.usableBytes(machine.home());
            String parts = mib(unpacked) + " unpacked" + (kept ? "" : " + " + mib(packageBytes) + " package kept")
                    + (db.isPresent() ? " + " + mib(db.getAsLong()) + " backup" : " + backup (database size unknown)") + " + " + mib(reserveBytes) + " reserve";
            if (have < need) {
                return Check.fail("disk", mib(have) + " free, the update needs " + mib(need) + " (" + parts + ")");
            }
            return Check.pass("disk", mib(have) + " free, the update needs " + mib(need) + " (" + parts + ")");
        } catch (IOException e) {
            return Check.fail("disk", "free space of " + machine.home() + " cannot be read: " + e.getMessage());
        }
    }

    private static String mib(long bytes) {
        return (bytes + (1 << 20) - 1 >> 20) + " MiB";
    }

    /** MemTotal of a /proc/meminfo text, in MiB. */
    static OptionalLong memTotalMb(List<String> meminfo) {
        for (String line : meminfo) {
            if (line.startsWith("MemTotal:")) {
                String[] p = line.substring(9).trim().split("\\s+");
                if (p.length == 2 && p[1].equals("kB") && p[0].matches("[0-9]{1,15}")) {
                    return OptionalLong.of(Long.parseLong(p[0]) / 1024);
                }
            }
        }
        return OptionalLong.empty();
    }

    /** The trusted keys, read afresh each time so a changed key file takes effect at once. */
    static Supplier<List<PublicKey>> keysIn(Path file) {
        return () -> SigningKeys.trusted(file);
    }
}
