package org.portcullis.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An OS step for update tests, run by the real package manager: a small {@code .deb} built here
 * with {@code dpkg-deb}, installed by the step's {@code apply} with {@code dpkg} and removed by
 * its {@code undo}. dpkg works on a root of its own ({@code --root}), so the tests never touch
 * this machine's packages; the appliance's recovery command ({@code os.recover.command}) points
 * at the same root. {@code apply} counts its runs in {@code apply-runs}; when the file
 * {@code slow} exists in the root it unpacks, then sleeps before configuring (a step to cut off).
 */
final class OsStepFixture {

    static final String PACKAGE = "portcullis-os-step-test";

    private OsStepFixture() {
    }

    /** Writes the step for version {@code version} into {@code dir} (apply, undo, the .deb) acting on dpkg root {@code root}. */
    static Path write(Path dir, Path root, String version) throws Exception {
        Path src = dir.resolve("deb-src");
        Files.createDirectories(src.resolve("DEBIAN"));
        Files.createDirectories(src.resolve("usr/share/" + PACKAGE));
        Files.writeString(src.resolve("DEBIAN/control"), "Package: " + PACKAGE + "\nVersion: " + version + "\nArchitecture: all\n"
                + "Maintainer: Portcullis tests <tests@portcullis.invalid>\nDescription: OS step of the Portcullis update tests\n");
        Files.writeString(src.resolve("usr/share/" + PACKAGE + "/version"), version + "\n");
        Path step = Files.createDirectories(dir.resolve("os-step"));
        run(List.of("dpkg-deb", "--root-owner-group", "-b", src.toString(), step.resolve(PACKAGE + ".deb").toString()));
        String dpkg = "dpkg --root=" + root;
        executable(step.resolve("apply"), "#!/bin/sh\nset -e\necho run >> '" + root + "/apply-runs'\n"
                + "if [ -e '" + root + "/slow' ]; then\n  " + dpkg + " --unpack \"$PORTCULLIS_OS_FILES/" + PACKAGE + ".deb\"\n  sleep 120\nfi\n"
                + dpkg + " -i \"$PORTCULLIS_OS_FILES/" + PACKAGE + ".deb\"\n");
        executable(step.resolve("undo"), "#!/bin/sh\nset -e\n" + dpkg + " -r " + PACKAGE + "\n");
        return step;
    }

    /** A fresh, empty dpkg root. */
    static Path root(Path dir) throws IOException {
        Path admin = dir.resolve("var/lib/dpkg");
        for (String d : List.of("info", "updates", "triggers")) {
            Files.createDirectories(admin.resolve(d));
        }
        Files.writeString(admin.resolve("status"), "");
        return dir;
    }

    /** Points the appliance's OS recovery (os.recover.command in etc/org.portcullis.updater.cfg) at {@code root}. */
    static void configure(Path home, Path root) throws IOException {
        Path cfg = home.resolve("etc/org.portcullis.updater.cfg");
        StringBuilder b = new StringBuilder();
        if (Files.isRegularFile(cfg)) {
            for (String line : Files.readAllLines(cfg)) {
                if (!line.startsWith("os.recover.command")) {
                    b.append(line).append('\n');
                }
            }
        }
        Files.writeString(cfg, b + "os.recover.command = dpkg --root=" + root + " --configure -a\n");
    }

    /** The test package's dpkg status in {@code root} ("install ok installed", …), or "not installed". */
    static String status(Path root) throws Exception {
        Process p = new ProcessBuilder("dpkg-query", "--root=" + root, "-W", "-f=${Status} ${Version}", PACKAGE).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor(30, TimeUnit.SECONDS);
        return p.exitValue() == 0 && !out.startsWith("deinstall ok config-files") && !out.startsWith("unknown ok not-installed") ? out : "not installed";
    }

    /** How often apply ran against {@code root}. */
    static int applyRuns(Path root) throws IOException {
        Path f = root.resolve("apply-runs");
        return Files.isRegularFile(f) ? Files.readAllLines(f).size() : 0;
    }

    /** Writes an executable script. */
    static Path executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(command + " failed: " + out);
        }
    }
}
