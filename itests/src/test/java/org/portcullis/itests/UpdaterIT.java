package org.portcullis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.portcullis.updater.pack.UpdatePack;

/**
 * The update package as an admin meets it on the running distribution: a package built and
 * signed by update-pack from this distribution and a next version of it, copied over, kept by
 * update:install-file only when it verifies, and checked by update:precheck, which names each
 * reason and changes nothing.
 */
class UpdaterIT {

    private static final String VERSION = System.getProperty("portcullis.version");

    @Test
    void aSignedPackageIsKeptAndPrecheckedAndBadOnesAreRefused() throws Exception {
        Path parent = Paths.get("target", "updater-it", Long.toString(System.nanoTime())).toAbsolutePath();
        // a Postfix whose next hop takes the connection and never answers: a message stays in its active queue
        try (java.net.ServerSocket blackhole = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
                Distribution dist = Distribution.unpack(parent);
                PostfixInstance mta = PostfixInstance.create("updater-it", Distribution.freePort(), blackhole.getLocalPort(), null)) {
            Files.writeString(dist.home.resolve("etc/org.portcullis.updater.cfg"), "queue.command = " + mta.queueCommand()
                    + "\nqueue.drain.s = 8\n");
            mta.start();
            Path keys = Files.createDirectories(parent.resolve("keys"));
            writeKeyPair(keys, "release");
            writeKeyPair(keys, "stranger");
            Files.copy(keys.resolve("release.pub.pem"), dist.home.resolve("etc/portcullis-update-keys.pem"));

            // a next version: this distribution with its features at 0.1.1 and one bundle changed
            Path next = nextVersion(dist.home, parent.resolve("next"), "0.1.1");
            Path good = parent.resolve("portcullis-update-" + VERSION + "-0.1.1.pcup");
            String packed = UpdatePack.run("--from", dist.home.toString(), "--to", next.toString(),
                    "--signing-key", keys.resolve("release.pem").toString(), "--out", good.toString());
            assertTrue(packed.contains(VERSION + " -> 0.1.1") && packed.contains("features portcullis"), packed);
            Path foreign = parent.resolve("foreign.pcup");
            UpdatePack.run("--from", dist.home.toString(), "--to", next.toString(),
                    "--signing-key", keys.resolve("stranger.pem").toString(), "--out", foreign.toString());
            // a package whose OS step fails; made before the container writes to its etc/
            Path marks = parent.resolve("os-marks");
            Path os = Files.createDirectories(parent.resolve("failing-os"));
            OsStepFixture.executable(os.resolve("apply"), "#!/bin/sh\necho applied >> '" + marks + "'\necho 'dpkg: error processing package fix (--configure)' >&2\nexit 3\n");
            OsStepFixture.executable(os.resolve("undo"), "#!/bin/sh\necho undone >> '" + marks + "'\n");
            Path recover = OsStepFixture.executable(parent.resolve("recover"), "#!/bin/sh\necho recovered >> '" + marks + "'\n");
            Path failing = parent.resolve("failing.pcup");
            UpdatePack.run("--from", dist.home.toString(), "--to", next.toString(), "--signing-key", keys.resolve("release.pem").toString(),
                    "--out", failing.toString(), "--os-step", os.toString());
            Path tampered = parent.resolve("tampered.pcup");
            byte[] b = Files.readAllBytes(good);
            b[b.length - 10] ^= 0x20;
            Files.write(tampered, b);

            dist.start();
            String password = dist.awaitFile(dist.home.resolve("data/portcullis/initial-admin-password")).strip();
            dist.awaitSsh(password, "update:list", "No update package is kept here");
            assertTrue(dist.ssh(password, "update:precheck").contains("no update package is kept here"));

            String refused = dist.ssh(password, "update:install-file " + tampered);
            assertTrue(refused.contains("update package tampered.pcup: file ") && refused.contains("does not match its SHA-256 in the manifest"), refused);
            String stranger = dist.ssh(password, "update:install-file " + foreign);
            assertTrue(stranger.contains("the signature does not verify with any trusted key"), stranger);
            assertTrue(dist.ssh(password, "update:list").contains("No update package is kept here"), "nothing kept from a bad package");

            String kept = dist.ssh(password, "update:install-file " + good);
            assertTrue(kept.contains("Kept portcullis-update-" + VERSION + "-0.1.1.pcup"), kept);
            assertTrue(dist.ssh(password, "update:list").contains("portcullis-update-" + VERSION + "-0.1.1.pcup"));

            String checks = dist.ssh(password, "update:precheck");
            for (String line : List.of("PASS package ", "PASS version    running " + VERSION + " is the package's from-version; it installs 0.1.1",
                    "PASS memory ", "PASS disk ", "PASS cluster ", "PASS os-step ", "PASS running ", "PASS services ", "PASS queues ", "All 9 prechecks passed.")) {
                assertTrue(checks.contains(line), line + " in:\n" + checks);
            }
            String checkTampered = dist.ssh(password, "update:precheck " + tampered);
            assertTrue(checkTampered.contains("FAIL package ") && checkTampered.contains("FAIL version ")
                    && checkTampered.contains("FAIL os-step ") && checkTampered.contains("3 of 9 prechecks failed; nothing was changed"), checkTampered);

            // a package for another running version
            Path later = nextVersion(next, parent.resolve("later"), "0.1.2"); // from the copy: a started container has written to its etc/
            Path skip = parent.resolve("skip.pcup");
            UpdatePack.run("--from", next.toString(), "--to", later.toString(), "--signing-key", keys.resolve("release.pem").toString(), "--out", skip.toString());
            String skipped = dist.ssh(password, "update:precheck " + skip);
            // mail Postfix is handing on: the precheck says it will be drained; when it does not drain, nothing else happens
            assertTrue(SmtpClient.send(mta.smtpPort, "alice@sender.test", "bob@example.test", "Subject: stuck\r\n\r\nx\r\n").startsWith("250"));
            String stuck = dist.awaitSsh(password, "update:precheck", "1 active");
            assertTrue(stuck.contains("PASS queues     0 incoming, 1 active: update:apply switches maintenance on and waits up to 8 s for them to drain"), stuck);
            java.util.concurrent.CompletableFuture<String> first = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return dist.sshWaiting(password, "update:apply", java.time.Duration.ofMinutes(3));
                } catch (java.io.IOException e) {
                    return e.toString();
                }
            });
            // while it waits for the queue, a second apply is refused, and the precheck says why
            dist.awaitFileContaining(dist.home.resolve("data/portcullis/updates/" + VERSION + "-0.1.1.log"), "Waiting up to 8 s");
            String second = dist.ssh(password, "update:apply " + good);
            assertTrue(second.contains("an update is already running: " + VERSION + " -> 0.1.1 at step drain (update:status)"), second);
            assertTrue(dist.ssh(password, "update:precheck " + good).contains("FAIL running    an update is in flight"), "the precheck says so too");
            String undrained = first.join();
            for (String line : List.of(" * Waiting up to 8 s for Postfix's queues to drain: 0 incoming, 1 active",
                    " * FAILED at drain: Postfix's incoming and active queues draining (left: 0 incoming, 1 active) did not happen within 8 s",
                    "006: FAILED, rolled back to " + VERSION)) {
                assertTrue(undrained.contains(line), line + " in:\n" + undrained);
            }
            assertFalse(undrained.contains(" * Stopping auth") || undrained.contains("Installing patches"), "nothing else ran:\n" + undrained);
            assertTrue(dist.ssh(password, "portcullis:maintenance status").contains("Maintenance: off"));

            // the OS step that fails: recovered, undone, rolled back
            Files.writeString(dist.home.resolve("etc/org.portcullis.updater.cfg"), "queue.command =\nos.recover.command = " + recover + "\n");
            dist.awaitSsh(password, "update:precheck " + failing, "PASS queues     no Postfix queue");
            String osFailed = dist.sshWaiting(password, "update:apply " + failing, java.time.Duration.ofMinutes(3));
            for (String line : List.of("   OS step started: os/apply (pid ", "   | dpkg: error processing package fix (--configure)",
                    " * FAILED at os: the OS step os/apply failed, exit 3", " * Undoing the OS step os/apply: it failed, exit 3",
                    "   recovery " + recover + ": finished, exit 0", "   OS undo step os/undo: exit 0", "006: FAILED, rolled back to " + VERSION)) {
                assertTrue(osFailed.contains(line), line + " in:\n" + osFailed);
            }
            assertEquals(List.of("applied", "recovered", "undone"), Files.readAllLines(marks), "the step once, then its recovery, then its undo");
            assertTrue(dist.ssh(password, "portcullis:maintenance status").contains("Maintenance: off"));
            assertEquals("Portcullis " + VERSION, dist.ssh(password, "portcullis:version").strip());

            assertTrue(skipped.contains("FAIL version    the package updates 0.1.1 to 0.1.2; this appliance runs " + VERSION), skipped);

            // the memory threshold in config takes effect without a restart
            Files.writeString(dist.home.resolve("etc/org.portcullis.updater.cfg"), "memory.min.mb = 100000000\n");
            String memory = dist.awaitSsh(password, "update:precheck", "FAIL memory ");
            assertTrue(memory.contains("MiB, memory.min.mb asks at least 100000000 MiB"), memory);

            assertTrue(dist.ssh(password, "portcullis:commands").contains("update:precheck"));
            String log = Files.readString(dist.home.resolve("data/log/karaf.log"));
            assertFalse(log.contains("Exception caught while executing command"), "refusals are the caller's mistake, not errors with a stack trace:\n" + log);
            assertEquals("Portcullis " + VERSION, dist.ssh(password, "portcullis:version").strip(), "nothing was applied");
            dist.ssh(password, "system:shutdown -f");
            dist.awaitExit();
        }
    }

    /** A copy of {@code home} that says it is {@code version}: the features folder renamed, one bundle with other bytes. */
    static Path nextVersion(Path home, Path into, String version) throws Exception {
        Files.createDirectories(into);
        Process cp = new ProcessBuilder("cp", "-a", home + "/.", into.toString()).inheritIO().start();
        assertEquals(0, cp.waitFor());
        Path features = into.resolve("system/org/portcullis/portcullis-features");
        Path old;
        try (Stream<Path> s = Files.list(features)) {
            old = s.findFirst().orElseThrow();
        }
        String was = old.getFileName().toString();
        Path moved = Files.move(old, features.resolve(version));
        Files.move(moved.resolve("portcullis-features-" + was + "-features.xml"), moved.resolve("portcullis-features-" + version + "-features.xml"));
        // a changed bundle is a new artifact under the new version (a release never changes another's)
        Path lists = into.resolve("system/org/portcullis/lists");
        try (Stream<Path> s = Files.list(lists)) {
            Path dir = s.findFirst().orElseThrow();
            String had = dir.getFileName().toString();
            Path now = Files.move(dir, lists.resolve(version));
            Path jar = Files.move(now.resolve("lists-" + had + ".jar"), now.resolve("lists-" + version + ".jar"));
            Files.write(jar, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
            try (Stream<Path> rest = Files.list(now)) {
                for (Path p : rest.filter(p -> !p.equals(jar)).toList()) {
                    Files.delete(p); // poms and the like of the old version
                }
            }
        }
        return into;
    }

    static void writeKeyPair(Path dir, String name) throws Exception {
        var pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Files.writeString(dir.resolve(name + ".pem"), pem("PRIVATE KEY", pair.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve(name + ".pub.pem"), pem("PUBLIC KEY", pair.getPublic().getEncoded()), StandardCharsets.US_ASCII);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
