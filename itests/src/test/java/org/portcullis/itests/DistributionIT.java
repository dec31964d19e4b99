package org.portcullis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * README command 1, as an admin would live it: first boot prints a generated admin password,
 * SSH works with it, the embedded database comes up, maintenance mode survives a restart,
 * {@code shutdown} leaves no process behind, and a killed container leaves no orphan that
 * blocks the next start.
 */
class DistributionIT {

    @Test
    void firstBootRestartAndKillLeaveNothingBehind() throws Exception {
        Path parent = Paths.get("target", "distribution-it", Long.toString(System.nanoTime())).toAbsolutePath();
        try (Distribution dist = Distribution.unpack(parent)) {
            // First boot: a generated password, printed once and kept in a private file.
            dist.start();
            Path passwordFile = dist.home.resolve("data/portcullis/initial-admin-password");
            String password = dist.awaitFile(passwordFile).strip();
            assertEquals(20, password.length());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile)));
            String users = Files.readString(dist.home.resolve("etc/users.properties"));
            assertFalse(users.contains(password), "the password must be stored hashed");
            assertTrue(users.matches("(?s).*\\nadmin = \\{CRYPT\\}[0-9A-Fa-f]+\\{CRYPT\\},.*ssh.*"), users);

            assertEquals("Portcullis " + System.getProperty("portcullis.version"),
                    dist.ssh(password, "portcullis:version").strip());
            assertThrows(Exception.class, () -> dist.sshOnce("wrong-password", "portcullis:version"));
            String status = dist.awaitSsh(password, "storage:status", "State    : reachable");
            String usersLater = Files.readString(dist.home.resolve("etc/users.properties"));
            assertFalse(usersLater.matches("(?s)(.*\\n)?_g_.*"), "no group entry for Karaf's auto-encryption to mangle:\n" + usersLater);
            assertTrue(status.contains("(embedded)"), status);
            // Started without a terminal (as a service would be): the console names the file, not the password.
            assertTrue(dist.console().contains("its password is in " + passwordFile), dist.console());
            assertFalse(dist.console().contains(password), dist.console());

            String on = dist.ssh(password, "portcullis:maintenance on restart test");
            assertTrue(on.contains("Maintenance: on"), on);

            // shutdown over SSH stops the container and its PostgreSQL.
            dist.ssh(password, "system:shutdown -f");
            dist.awaitExit();
            assertNoLeftovers(dist);

            // Second boot: same account, no new password, maintenance still on.
            dist.start();
            String after = dist.awaitSsh(password, "portcullis:maintenance status", "Maintenance: on");
            assertTrue(after.contains("restart test"), after);
            assertFalse(dist.console().contains("first boot"), dist.console());
            assertEquals(password, Files.readString(passwordFile).strip());
            dist.awaitSsh(password, "storage:status", "State    : reachable");

            // kill -9 leaves PostgreSQL running; the next start must stop it and carry on.
            dist.process().destroyForcibly().waitFor();
            assertFalse(dist.leftovers().isEmpty(), "expected the embedded PostgreSQL to outlive a kill -9");
            dist.start();
            dist.awaitSsh(password, "storage:status", "State    : reachable");
            assertTrue(dist.ssh(password, "portcullis:maintenance off").contains("Maintenance: off"));
            dist.ssh(password, "system:shutdown -f");
            dist.awaitExit();
            assertNoLeftovers(dist);
        }
    }

    private static void assertNoLeftovers(Distribution dist) throws InterruptedException, IOException {
        long end = System.nanoTime() + Distribution.DEADLINE.toNanos();
        List<ProcessHandle> left = dist.leftovers();
        while (!left.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(200);
            left = dist.leftovers();
        }
        assertTrue(left.isEmpty(), "processes left behind:\n" + Distribution.describe(left));
        assertFalse(Files.exists(dist.home.resolve("data/postgresql/data/postmaster.pid")),
                "PostgreSQL did not shut down cleanly");
    }
}
