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

    /** Lines of the update's log, each written as a step has done its work: the kill lands in the step after it. */
    private static final List<String> KILL_AFTER = List.of(" * Stopping mail: maintenance on", " * Installing patches", "   bundles swapped: ",
            " * Database updates...", " * Starting auth", " * Health check");

    @Test
    void aKillAtAnyStepEndsAtTheOldOrTheNewVersionNeverBetween() throws Exception {
        Path parent = NextVersion.workspace("update-crash-it");
        Path keys = parent.resolve("keys");
        Path next = NextVersion.copy(parent, NEXT).with(Map.of("bundles/lists/src/main/resources/db/migration/V2__update_marker.sql",
                "CREATE TABLE update_marker (note text NOT NULL);\nINSERT INTO update_marker VALUES ('" + NEXT + "');\n")).build();
        Path pkg = parent.resolve("portcullis-update-" + VERSION + "-" + NEXT + ".pcup");
        NextVersion.pack(parent, next, pkg);

        StringBuilder outcomes = new StringBuilder();
        for (int i = 0; i < KILL_AFTER.size(); i++) {
            String marker = KILL_AFTER.get(i);
            try (Distribution dist = Distribution.unpack(parent.resolve("kill-" + i))) {
                Files.copy(keys.resolve("release.pub.pem"), dist.home.resolve("etc/portcullis-update-keys.pem"));
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
                dist.kill9();
                apply.join();
                String atKill = Files.readString(log);
                assertFalse(atKill.contains("006: "), "killed before the end: " + atKill);

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
                assertTrue(after.contains("The container restarted during") || after.contains(" * FAILED the container restarted during")
                        || after.contains("The container restarted after the update had ended"), "the log says what the recovery did:\n" + after);
                assertTrue(after.contains(forward ? "006: OK" : "006: FAILED, rolled back to " + VERSION), after);
                outcomes.append(marker.strip()).append(" -> ").append(forward ? NEXT : VERSION).append('\n');
                dist.ssh(password, "system:shutdown -f");
                dist.awaitExit();
            }
        }
        System.out.println("kill -9 outcomes:\n" + outcomes);
        assertTrue(outcomes.toString().contains("-> " + VERSION) && outcomes.toString().contains("-> " + NEXT),
                "some kills land before the commit and some after:\n" + outcomes);
    }
}
