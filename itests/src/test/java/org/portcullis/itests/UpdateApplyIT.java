package org.portcullis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * An online update against the real thing: the next version built by Maven from this source
 * with a new migration, packed and signed by update-pack, applied to the running distribution
 * by update:apply. A version whose migration fails is rolled back to the running one first; then
 * the good one swaps the bundles in the same JVM, commits its migration and the version in one
 * transaction, and keeps the settings and data.
 */
class UpdateApplyIT {

    private static final String VERSION = System.getProperty("portcullis.version");
    private static final String BROKEN = "0.1.1";
    private static final String NEXT = "0.1.2";
    private static final String MIGRATION = "bundles/lists/src/main/resources/db/migration/V2__update_marker.sql";

    @Test
    void aFailingUpdateRollsBackAndAGoodOneSwapsTheBundlesWithoutARestart() throws Exception {
        Path parent = NextVersion.workspace("update-apply-it");
        Path keys = parent.resolve("keys");

        // two releases after this one: a broken one whose migration fails, then the fixed one
        NextVersion next = NextVersion.copy(parent, BROKEN).with(Map.of(MIGRATION, "ALTER TABLE no_such_table ADD COLUMN x int;\n"));
        Path broken = next.build();
        Path good = next.version(NEXT).with(Map.of(MIGRATION, "CREATE TABLE update_marker (note text NOT NULL);\n"
                + "INSERT INTO update_marker VALUES ('brought by the update to " + NEXT + "');\n")).build();
        Path brokenPackage = parent.resolve("broken.pcup");
        Path goodPackage = parent.resolve("portcullis-update-" + VERSION + "-" + NEXT + ".pcup");
        for (Path[] p : new Path[][] {{broken, brokenPackage}, {good, goodPackage}}) {
            String packed = NextVersion.pack(parent, p[0], p[1]);
            assertTrue(packed.contains("1 migrations"), packed);
        }

        try (Distribution dist = Distribution.unpack(parent.resolve("appliance"))) {
            Files.copy(keys.resolve("release.pub.pem"), dist.home.resolve("etc/portcullis-update-keys.pem"));
            dist.start();
            String password = dist.awaitFile(dist.home.resolve("data/portcullis/initial-admin-password")).strip();
            dist.awaitSsh(password, "storage:status", "State    : reachable");
            dist.awaitSsh(password, "lists:add block *.before-update.example", "Added");
            long pid = dist.jvm().pid();

            // 1. the failing migration: rolled back to the running version, nothing changed
            String failed = dist.sshWaiting(password, "update:apply " + brokenPackage, Duration.ofMinutes(8));
            for (String line : List.of("001: Install System Update " + BROKEN + " started ...", "002: Current Version: " + VERSION,
                    " * Stopping mail: maintenance on", " * Installing patches", " * Database updates...", " * FAILED at database: ",
                    " * Rolling back to " + VERSION, "006: FAILED, rolled back to " + VERSION)) {
                assertTrue(failed.contains(line), line + " in:\n" + failed);
            }
            assertTrue(failed.contains("V2__update_marker.sql failed and was rolled back"), failed);
            dist.awaitSsh(password, "portcullis:version", "Portcullis " + VERSION);
            assertEquals(pid, dist.jvm().pid(), "no container restart");
            String afterFailure = dist.awaitSsh(password, "storage:status", "State    : reachable");
            assertFalse(afterFailure.contains("update marker") || afterFailure.contains("HELD"), afterFailure);
            assertTrue(dist.awaitSsh(password, "lists:list", "before-update.example").contains("block"));
            assertTrue(dist.ssh(password, "portcullis:maintenance status").contains("Maintenance: off"));
            assertTrue(dist.ssh(password, "update:status").contains("rolled back"));

            // 2. the good one
            String applied = dist.sshWaiting(password, "update:apply " + goodPackage, Duration.ofMinutes(8));
            for (String line : List.of("] Install revision " + NEXT, "001: Install System Update " + NEXT + " started ...",
                    "002: Current Version: " + VERSION, "003: Searching for unapplied updates from " + VERSION + " to " + NEXT,
                    "004: Installing System Update " + NEXT, "005: Starting Installer ...", " * Stopping mail: maintenance on",
                    " * Installing patches", "   bundles swapped: ", " * Starting postgresql", " * Database updates...",
                    "1 migrations and the product version " + NEXT + " committed in one transaction: lists V2__update_marker.sql",
                    " * Starting mail: maintenance off", "Done. Installation Complete.", "006: OK")) {
                assertTrue(applied.contains(line), line + " in:\n" + applied);
            }
            assertEquals("Portcullis " + NEXT, dist.awaitSsh(password, "portcullis:version", "Portcullis " + NEXT).strip());
            assertEquals(pid, dist.jvm().pid(), "the bundles were swapped in the same JVM");
            String status = dist.awaitSsh(password, "storage:status", "update marker");
            assertTrue(status.contains("lists") && !status.contains("HELD"), status);
            assertTrue(dist.awaitSsh(password, "lists:list", "before-update.example").contains("block"), "data kept");
            assertTrue(dist.ssh(password, "milter:status").contains(Integer.toString(dist.milterPort)), "settings kept");
            assertTrue(dist.ssh(password, "portcullis:maintenance status").contains("Maintenance: off"));
            String log = Files.readString(dist.home.resolve("data/portcullis/updates/" + VERSION + "-" + NEXT + ".log"));
            assertTrue(log.endsWith("006: OK\n"), log);
            assertTrue(dist.ssh(password, "update:status").contains("done"));
            String history = dist.ssh(password, "update:history");
            assertTrue(history.contains(BROKEN) && history.contains("rolled back") && history.contains(NEXT) && history.contains("done"), history);
            assertTrue(history.indexOf(BROKEN) < history.indexOf(NEXT + " "), "oldest first:\n" + history);
            assertTrue(Files.readString(dist.home.resolve("etc/org.apache.karaf.features.cfg")).contains("portcullis-features/" + NEXT + "/"),
                    "a start from a clean data/ boots the new version");

            dist.ssh(password, "system:shutdown -f");
            dist.awaitExit();
        }
    }
}
