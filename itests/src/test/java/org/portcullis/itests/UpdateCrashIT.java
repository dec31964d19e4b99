package org.portcullis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of the container at each step of an update in turn (when the update's log
 * reaches the step), then a start: the appliance ends at the old version or at the new one,
 * consistent, never between; the log says what the recovery did; mail flows again.
 */
class UpdateCrashIT {

    private static final String VERSION = System.getProperty("portcullis.version");
    private static final String NEXT = "0.2.0";

    /**
     * Lines of the update's log (or their ends, where the names in them change: which bundles own a
     * schema), each written as a step has done its work: the kill lands in the step after it.
     */
    private static final List<String> KILL_AFTER = List.of(" * Stopping mail: maintenance on", " * Stopping postfix", "   OS step started", "   OS step finished",
            "   bundles swapped: ", " * Database updates...", "(schema migrations released)", " * Starting postfix", " * Health check");

    /** The last round: the machine loses power while the OS step runs (Karaf and the step's process group killed). */
    private static final String POWER_LOSS = "power loss during the OS step";

    @Test
    void aKillAtAnyStepEndsAtTheOldOrTheNewVersionNeverBetween() throws Exception {
        Path parent = NextVersion.workspace("update-crash-it");
        Path keys = parent.resolve("keys");
        Path next = NextVersion.copy(parent, NEXT).with(Map.of("bundles/lists/src/main/resources/db/migration/V2__update_marker.sql",
                "CREATE TABLE update_marker (note text NOT NULL);\nINSERT INTO update_marker VALUES ('" + NEXT + "');\n")).build();
        Path pkg = parent.resolve("portcullis-update-" + VERSION + "-" + NEXT + ".pcup");
        // the OS step installs a .deb with dpkg; each round has its dpkg root at the same path, made afresh
        Path root = parent.resolve("dpkg-root");
        NextVersion.pack(parent, next, pkg, OsStepFixture.write(parent, root, NEXT));

        StringBuilder outcomes = new StringBuilder();
        List<String> rounds = new java.util.ArrayList<>(KILL_AFTER);
        rounds.add(POWER_LOSS);
        for (int i = 0; i < rounds.size(); i++) {
            String marker = rounds.get(i);
            boolean powerLoss = marker.equals(POWER_LOSS);
            deleteTree(root);
            OsStepFixture.root(root);
            if (powerLoss) {
                Files.writeString(root.resolve("slow"), "");
                marker = "   OS step started";
            }
            try (Distribution dist = Distribution.unpack(parent.resolve("kill-" + i));
                    PostfixInstance gateway = PostfixInstance.create("crash-" + i, Distribution.freePort(), Distribution.freePort(), "127.0.0.1:" + dist.milterPort)) {
                Files.copy(keys.resolve("release.pub.pem"), dist.home.resolve("etc/portcullis-update-keys.pem"));
                OsStepFixture.configure(dist.home, root);
                gateway.controlledBy(dist.home, false); // stopped by the update, and running again whichever way it ends
                gateway.start();
                dist.start();
                String password = dist.awaitFile(dist.home.resolve("data/portcullis/initial-admin-password")).strip();
                dist.awaitSsh(password, "lists:add block *.kept.example", "Added");
                Path log = dist.home.resolve("data/portcullis/updates/" + VERSION + "-" + NEXT + ".log");

                CompletableFuture<String> apply = CompletableFuture.supplyAsync(() -> {
                    try {
                        return dist.sshWaiting(password, "update:apply " + pkg, Duration.ofMinutes(5));
                    } catch (Exception e) {
                        return e.toString(); // the connection dies with the container
                    }
                });
                long end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (!(Files.isRegularFile(log) && Files.readString(log).contains(marker))) {
                    assertTrue(System.nanoTime() < end, "the log never reached '" + marker + "'");
                    Thread.sleep(10);
                }
                if (powerLoss) {
                    // dpkg has unpacked and not configured when the power goes: the step's whole process group dies with Karaf
                    Path pidFile = awaitOsPid(dist.home, root);
                    dist.kill9();
                    kill9Group(Long.parseLong(Files.readString(pidFile).strip()));
                    assertEquals("install ok unpacked " + NEXT, OsStepFixture.status(root), "cut off half-way");
                } else {
                    dist.kill9();
                }
                apply.join();
                String atKill = Files.readString(log);
                // the last steps take milliseconds: a kill meant for them can land after the end, which is then checked like the rest
                boolean endedFirst = atKill.contains("006: ");
                assertTrue(!endedFirst || marker.equals(KILL_AFTER.get(KILL_AFTER.size() - 1)), "killed before the end: " + atKill);

                dist.start();
                String status = dist.awaitSsh(password, "update:status", "State    : ");
                long until = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (!status.contains("State    : done") && !status.contains("State    : rolled back")) {
                    assertFalse(status.contains("State    : stopped"), "stopped after a kill at '" + marker + "':\n" + status);
                    assertTrue(System.nanoTime() < until, "no end after a kill at '" + marker + "':\n" + status);
                    Thread.sleep(500);
                    status = dist.ssh(password, "update:status");
                }
                boolean forward = status.contains("State    : done");
                String version = dist.awaitSsh(password, "portcullis:version", "Portcullis ").strip();
                assertEquals("Portcullis " + (forward ? NEXT : VERSION), version, status);
                String storage = dist.awaitSsh(password, "storage:status", "State    : reachable");
                assertEquals(forward, storage.contains("update marker"), "the schema matches the version:\n" + storage);
                assertFalse(storage.contains("HELD"), storage);
                assertTrue(dist.awaitSsh(password, "lists:list", "kept.example").contains("block"));
                assertTrue(dist.ssh(password, "portcullis:maintenance status").contains("Maintenance: off"), "mail flows again");
                String after = dist.awaitFileContaining(log, "006: ");
                assertTrue(endedFirst || after.contains("The container restarted during") || after.contains(" * FAILED the container restarted during")
                        || after.contains("The container restarted after the update had ended"), "the log says what the recovery did:\n" + after);
                assertTrue(after.contains(forward ? "006: OK" : "006: FAILED, rolled back to " + VERSION), after);
                // the OS side matches the version: installed at N+1, removed again at N; run at most once
                assertEquals(forward ? "install ok installed " + NEXT : "not installed", OsStepFixture.status(root), after);
                assertTrue(OsStepFixture.applyRuns(root) <= 1, "the OS step ran " + OsStepFixture.applyRuns(root) + " times");
                assertTrue(gateway.running(), "the stopped Postfix runs again:\n" + after);
                if (powerLoss) {
                    for (String line : List.of(" * Undoing the OS step os/apply: it was cut off (pid ", "   recovery dpkg --root=" + root
                            + " --configure -a: finished, exit 0", "   OS undo step os/undo: exit 0")) {
                        assertTrue(after.contains(line), line + " in:\n" + after);
                    }
                }
                outcomes.append(rounds.get(i).strip()).append(" -> ").append(forward ? NEXT : VERSION).append(endedFirst ? " (it had ended before the kill landed)" : "")
                        .append('\n');
                dist.ssh(password, "system:shutdown -f");
                dist.awaitExit();
            }
        }
        System.out.println("kill -9 outcomes:\n" + outcomes);
        assertTrue(outcomes.toString().contains(POWER_LOSS + " -> " + VERSION), "cut off before the commit: rolled back\n" + outcomes);
        assertTrue(outcomes.toString().contains("-> " + VERSION) && outcomes.toString().contains("-> " + NEXT),
                "some kills land before the commit and some after:\n" + outcomes);
    }

    /** The pid file of the OS step's wrapper, once dpkg has unpacked (the step then sleeps). */
    private static Path awaitOsPid(Path home, Path root) throws Exception {
        long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            try (var runs = Files.find(home.resolve("data/portcullis/updates/os"), 3, (p, a) -> p.endsWith("apply/pid"))) {
                List<Path> found = runs.toList();
                if (!found.isEmpty() && OsStepFixture.status(root).startsWith("install ok unpacked")) {
                    return found.get(0);
                }
            } catch (java.io.IOException e) {
                // not there yet
            }
            assertTrue(System.nanoTime() < end, "the OS step never unpacked its package");
            Thread.sleep(50);
        }
    }

    private static void kill9Group(long pgid) throws Exception {
        Process p = new ProcessBuilder("kill", "-KILL", "--", "-" + pgid).redirectErrorStream(true).start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        if (Files.exists(dir)) {
            try (var all = Files.walk(dir)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
