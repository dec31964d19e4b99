package org.portcullis.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The next version of the distribution, built by Maven from this very source with another
 * version number and the changes a test gives (for example a new migration): what a release
 * would ship, made here so an update can be tested against the real thing.
 */
final class NextVersion {

    private final Path source;
    private String version;

    private NextVersion(Path source, String version) {
        this.source = source;
        this.version = version;
    }

    /** A fresh folder {@code target/<name>/<nanos>} with a release key pair in {@code keys/} (release.pem, release.pub.pem). */
    static Path workspace(String name) throws Exception {
        Path parent = Files.createDirectories(Paths.get("target", name, Long.toString(System.nanoTime())).toAbsolutePath());
        UpdaterIT.writeKeyPair(Files.createDirectories(parent.resolve("keys")), "release");
        return parent;
    }

    /** update-pack from this build's distribution to {@code next}, signed with the workspace's release key; returns its summary line. */
    static String pack(Path workspace, Path next, Path out) throws Exception {
        return org.portcullis.updater.pack.UpdatePack.run("--from", System.getProperty("portcullis.distribution"), "--to", next.toString(),
                "--signing-key", workspace.resolve("keys/release.pem").toString(), "--out", out.toString());
    }

    /** As above, with the OS step in {@code osStep} (its apply and undo). */
    static String pack(Path workspace, Path next, Path out, Path osStep) throws Exception {
        return org.portcullis.updater.pack.UpdatePack.run("--from", System.getProperty("portcullis.distribution"), "--to", next.toString(),
                "--signing-key", workspace.resolve("keys/release.pem").toString(), "--out", out.toString(), "--os-step", osStep.toString());
    }

    /** A copy of the source (without target/ folders and .git) under {@code work}, at {@code version}. */
    static NextVersion copy(Path work, String version) throws Exception {
        Path from = Paths.get(System.getProperty("portcullis.source")).toRealPath();
        Path into = Files.createDirectories(work.resolve("source-next"));
        run(from, List.of("sh", "-c", "tar -cf - --exclude=./.git --exclude=target . | tar -xf - -C '" + into + "'"), 120);
        return new NextVersion(into, System.getProperty("portcullis.version")).version(version);
    }

    /** Sets every module of the copy to {@code next}. */
    NextVersion version(String next) throws IOException {
        try (Stream<Path> poms = Files.walk(source)) {
            for (Path pom : poms.filter(p -> p.getFileName().toString().equals("pom.xml")).toList()) {
                Files.writeString(pom, Files.readString(pom).replace("<version>" + version + "</version>", "<version>" + next + "</version>"));
            }
        }
        version = next;
        return this;
    }

    /** Writes (or replaces) files of the copy: path relative to the source root → content. */
    NextVersion with(Map<String, String> files) throws IOException {
        for (var e : files.entrySet()) {
            Path f = source.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue(), StandardCharsets.UTF_8);
        }
        return this;
    }

    /** Replaces {@code from} by {@code to} in a file of the copy; fails if it is not there. */
    NextVersion replacing(String path, String from, String to) throws IOException {
        Path f = source.resolve(path);
        String text = Files.readString(f, StandardCharsets.UTF_8);
        if (!text.contains(from)) {
            throw new AssertionError("'" + from + "' is not in " + path);
        }
        Files.writeString(f, text.replace(from, to), StandardCharsets.UTF_8);
        return this;
    }

    /** Builds the bundles, features and distribution offline (everything was resolved by this build); returns the tar.gz. */
    Path build() throws Exception {
        List<String> mvn = new java.util.ArrayList<>(List.of("mvn", "-o", "-q", "-B", "install", "-DskipTests", "-Dapi.baseline.skip=true",
                "-pl", "assembly", "-am"));
        String repo = System.getProperty("maven.repo.local");
        if (repo != null && !repo.isBlank()) {
            mvn.add("-Dmaven.repo.local=" + repo);
        }
        run(source, mvn, 900);
        Path built = source.resolve("assembly/target/portcullis-" + version + ".tar.gz");
        if (!Files.isRegularFile(built)) {
            throw new AssertionError("no " + built);
        }
        return built;
    }

    private static void run(Path dir, List<String> command, int seconds) throws Exception {
        Path out = Files.createTempFile("next-version", ".log");
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError(command + " took more than " + seconds + " s");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(command + " failed:\n" + Files.readString(out));
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
