package org.portcullis.updater.pack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.portcullis.updater.pkg.PackageException;
import org.portcullis.updater.pkg.PackageWriter;
import org.portcullis.updater.pkg.UpdateManifest;
import org.portcullis.updater.pkg.UpdateManifest.MigrationEntry;

/**
 * {@code ./update-pack}: builds and signs the update package that moves the distribution
 * {@code --from} to {@code --to} (docs/UPDATE-FORMAT.md, "What update-pack puts in").
 */
public final class UpdatePack {

    /** Files of the container itself: an online update cannot change them. */
    private static final Set<String> CONTAINER_FILES = Set.of("etc/config.properties", "etc/startup.properties", "etc/jre.properties");
    private static final String USAGE = "usage: update-pack --from <N.tar.gz|dir> --to <N+1.tar.gz|dir> --signing-key <key.pem> --out <file.pcup>"
            + " [--os-step <dir>] [--notes <file>] [--min-memory-mb <n>]";

    private final Map<String, String> options;

    private UpdatePack(Map<String, String> options) {
        this.options = options;
    }

    public static void main(String[] args) {
        try {
            System.out.println(run(args));
        } catch (UsageException e) {
            System.err.println("update-pack: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        } catch (PackageException | IOException e) {
            System.err.println("update-pack: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Builds the package; returns the one-line summary. */
    public static String run(String... args) throws IOException {
        Map<String, String> o = new LinkedHashMap<>();
        List<String> known = List.of("--from", "--to", "--signing-key", "--out", "--os-step", "--notes", "--min-memory-mb");
        for (int i = 0; i < args.length; i++) {
            if (!known.contains(args[i])) {
                throw new UsageException("unknown option '" + args[i] + "'");
            }
            if (i + 1 >= args.length) {
                throw new UsageException(args[i] + " needs a value");
            }
            if (o.put(args[i], args[++i]) != null) {
                throw new UsageException(args[i - 1] + " is given twice");
            }
        }
        for (String required : known.subList(0, 4)) {
            if (!o.containsKey(required)) {
                throw new UsageException(required + " is missing");
            }
        }
        return new UpdatePack(o).build();
    }

    private String build() throws IOException {
        long minMemory = 4096;
        if (options.containsKey("--min-memory-mb")) {
            try {
                minMemory = Long.parseLong(options.get("--min-memory-mb"));
            } catch (NumberFormatException e) {
                throw new UsageException("--min-memory-mb '" + options.get("--min-memory-mb") + "' is not a number");
            }
        }
        var key = org.portcullis.updater.pkg.SigningKeys.signing(Paths.get(options.get("--signing-key")));
        Path work = Files.createTempDirectory("update-pack");
        try {
            Distribution from = unpack(Paths.get(options.get("--from")), work.resolve("from"), "--from");
            Distribution to = unpack(Paths.get(options.get("--to")), work.resolve("to"), "--to");
            if (to.version.compareTo(from.version) <= 0) {
                throw new PackageException("--to is " + to.version + ", not above --from " + from.version);
            }
            refuseContainerChanges(from, to);
            PackageWriter writer = new PackageWriter();
            int bundles = 0;
            TreeMap<String, Path> oldSystem = from.files("system");
            for (var e : changed(from, to, "system").entrySet()) {
                if (oldSystem.containsKey(e.getKey())) {
                    // the updater only adds to system/; a rollback needs the old artifacts as they were
                    throw new PackageException(e.getKey() + " differs between the distributions under the same name; "
                            + "a release never changes an artifact another release has (give it a new version)");
                }
                writer.add("repository/" + e.getKey().substring("system/".length()), e.getValue());
                bundles++;
            }
            int settings = 0;
            TreeMap<String, Path> oldEtc = from.files("etc");
            for (var e : changed(from, to, "etc").entrySet()) {
                if (!CONTAINER_FILES.contains(e.getKey())) {
                    writer.add(e.getKey(), e.getValue());
                    // what the old version shipped: so the appliance tells keys new in this version from keys its admin removed
                    if (oldEtc.containsKey(e.getKey()) && e.getKey().endsWith(".cfg")) {
                        writer.add("etc-before/" + e.getKey().substring("etc/".length()), oldEtc.get(e.getKey()));
                    }
                    settings++;
                }
            }
            String osStep = "";
            String osUndo = "";
            if (options.containsKey("--os-step")) {
                Path dir = Paths.get(options.get("--os-step"));
                if (!Files.isRegularFile(dir.resolve("apply")) || !Files.isExecutable(dir.resolve("apply"))) {
                    throw new PackageException("--os-step " + dir + " has no executable 'apply'");
                }
                osStep = "os/apply";
                if (Files.exists(dir.resolve("undo"))) {
                    if (!Files.isExecutable(dir.resolve("undo"))) {
                        throw new PackageException("--os-step " + dir + ": 'undo' is not executable");
                    }
                    osUndo = "os/undo";
                }
                try (Stream<Path> s = Files.walk(dir)) {
                    for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                        writer.add("os/" + dir.relativize(p).toString().replace('\\', '/'), p);
                    }
                }
            }
            String notes = "";
            if (options.containsKey("--notes")) {
                writer.add("notes.txt", Paths.get(options.get("--notes")));
                notes = "notes.txt";
            }
            Set<String> defined = to.definedFeatures();
            List<String> features = to.bootFeatures().stream().filter(defined::contains).toList();
            if (features.isEmpty()) {
                throw new PackageException("the boot features of " + to.version + " hold none of its Portcullis features");
            }
            List<MigrationEntry> migrations = migrations(from, to);
            UpdateManifest manifest = new UpdateManifest(from.version, to.version, Instant.now().truncatedTo(ChronoUnit.SECONDS),
                    minMemory, to.featureRepository(), features, migrations, osStep, osUndo, notes, writer.entries());
            Path out = Paths.get(options.get("--out"));
            writer.write(manifest, key, out);
            return "update-pack: wrote " + out + " (" + Files.size(out) / 1024 + " KiB): " + from.version + " -> " + to.version
                    + ", " + bundles + " repository files, " + settings + " settings files, " + migrations.size() + " migrations"
                    + (osStep.isEmpty() ? ", no OS step" : ", an OS step") + "; features " + String.join(" ", features);
        } finally {
            deleteTree(work);
        }
    }

    /** A distribution given as a folder, or a tar.gz unpacked by the system's tar into {@code into}. */
    private static Distribution unpack(Path source, Path into, String option) throws IOException {
        if (Files.isDirectory(source)) {
            return Distribution.at(source, option + " " + source);
        }
        if (!Files.isRegularFile(source)) {
            throw new PackageException(option + " " + source + " does not exist");
        }
        Files.createDirectories(into);
        Process p = new ProcessBuilder("tar", "-xzf", source.toAbsolutePath().toString(), "-C", into.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes()).strip();
        try {
            if (p.waitFor() != 0) {
                throw new PackageException(option + " " + source + " is not a readable tar.gz: "
                        + (output.isEmpty() ? "tar failed" : output.lines().findFirst().orElse("")));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unpacking " + source, e);
        }
        return Distribution.at(into, option + " " + source);
    }

    private static void refuseContainerChanges(Distribution from, Distribution to) throws IOException {
        List<String> changed = new ArrayList<>();
        changed.addAll(changed(from, to, "lib").keySet());
        changed.addAll(removed(from, to, "lib"));
        changed(from, to, "bin").keySet().stream().filter(p -> !p.equals("bin/setenv")).forEach(changed::add);
        changed(from, to, "etc").keySet().stream().filter(CONTAINER_FILES::contains).forEach(changed::add);
        if (!changed.isEmpty()) {
            throw new PackageException("the distributions differ in " + changed.get(0) + (changed.size() > 1 ? " (and " + (changed.size() - 1) + " more)" : "")
                    + ", part of the container itself, which an online update does not replace");
        }
    }

    /** Files under {@code sub} of {@code to} that {@code from} lacks or has with other bytes. */
    private static TreeMap<String, Path> changed(Distribution from, Distribution to, String sub) throws IOException {
        TreeMap<String, Path> old = from.files(sub);
        TreeMap<String, Path> out = new TreeMap<>();
        for (var e : to.files(sub).entrySet()) {
            Path before = old.get(e.getKey());
            if (before == null || Files.mismatch(before, e.getValue()) >= 0) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    private static List<String> removed(Distribution from, Distribution to, String sub) throws IOException {
        Set<String> now = to.files(sub).keySet();
        return from.files(sub).keySet().stream().filter(p -> !now.contains(p)).toList();
    }

    /** Scripts a new bundle brings; a script the old bundle has must be byte for byte the same. */
    private static List<MigrationEntry> migrations(Distribution from, Distribution to) throws IOException {
        TreeMap<String, Path> old = from.portcullisBundles();
        List<MigrationEntry> out = new ArrayList<>();
        for (var bundle : to.portcullisBundles().entrySet()) {
            TreeMap<String, byte[]> before = Distribution.migrations(old.get(bundle.getKey()));
            for (var script : Distribution.migrations(bundle.getValue()).entrySet()) {
                byte[] was = before.get(script.getKey());
                if (was == null) {
                    out.add(new MigrationEntry(bundle.getKey(), script.getKey(), PackageWriter.hash(script.getValue())));
                } else if (!Arrays.equals(was, script.getValue())) {
                    throw new PackageException("migration " + script.getKey() + " of " + bundle.getKey()
                            + " differs between the versions; an applied migration never changes, add a new one");
                }
            }
            for (String gone : before.keySet()) {
                if (!Distribution.migrations(bundle.getValue()).containsKey(gone)) {
                    throw new PackageException("migration " + gone + " of " + bundle.getKey() + " is gone from " + to.version);
                }
            }
        }
        return out;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A wrong command line: printed with the usage. */
    static final class UsageException extends PackageException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
