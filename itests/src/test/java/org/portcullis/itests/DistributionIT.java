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
 * README command 1, as an admin would live it: first boot creates {@code admin} in the account
 * store (the database, not {@code users.properties}) with a generated password in a private file,
 * SSH works with it, the embedded database comes up, maintenance mode survives a restart,
 * {@code shutdown} leaves no process behind, and a killed container leaves no orphan that
 * blocks the next start.
 */
class DistributionIT {

    @Test
    void theArchiveHoldsOneDistributionAndNoStrayCopies() throws Exception {
        Process tar = new ProcessBuilder("tar", "tzf", System.getProperty("portcullis.distribution")).redirectErrorStream(true).start();
        List<String> entries = new String(tar.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, tar.waitFor());
        String root = "portcullis-" + System.getProperty("portcullis.version") + "/";
        assertTrue(entries.contains(root + "bin/portcullis") && entries.contains(root + "etc/org.ops4j.pax.logging.cfg"), entries.toString());
        assertEquals(List.of(), entries.stream().filter(e -> !e.startsWith(root) || e.startsWith(root + "assembly/")).toList(),
                "nothing outside the one top folder, and no copy of the overlay under assembly/");
    }

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

            assertEquals("Portcullis " + System.getProperty("portcullis.version"),
                    dist.ssh(password, "portcullis:version").strip());
            assertThrows(Exception.class, () -> dist.sshOnce("wrong-password", "portcullis:version"));
            String status = dist.awaitSsh(password, "storage:status", "State    : reachable");
            // the account lives in the database (the auth bundle's realm): users.properties holds nobody
            String users = Files.readString(dist.home.resolve("etc/users.properties"));
            assertTrue(users.lines().map(String::strip).allMatch(l -> l.isEmpty() || l.startsWith("#")), users);
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
            dist.kill9();
            assertFalse(dist.leftovers().isEmpty(), "expected the embedded PostgreSQL to outlive a kill -9");
            dist.start();
            dist.awaitSsh(password, "storage:status", "State    : reachable");
            assertTrue(dist.ssh(password, "portcullis:maintenance off").contains("Maintenance: off"));

            // One account store: a password changed in the shell is the SSH password at once, the old one fails.
            Path newPassword = dist.home.resolve("new-password");
            Files.writeString(newPassword, "tide-harbour-5-lantern\n");
            String changed = dist.ssh(password, "auth:passwd --password-file " + newPassword + " admin");
            assertTrue(changed.contains("Password of 'admin' changed"), changed);
            assertEquals("Portcullis " + System.getProperty("portcullis.version"),
                    dist.sshOnce("tide-harbour-5-lantern", "portcullis:version").strip());
            assertThrows(IOException.class, () -> dist.sshOnce(password, "portcullis:version"));
            // a weak password is refused with the rule, and nothing changes
            Files.writeString(newPassword, "short\n");
            String weak = dist.sshOnce("tide-harbour-5-lantern", "auth:passwd --password-file " + newPassword);
            assertTrue(weak.contains("Password refused: it must be at least 12 characters long"), weak);
            // a domain-admin exists for the REST API and the web console, but gets no shell
            Files.writeString(newPassword, "harbour-lights-secret-7\n");
            String added = dist.sshOnce("tide-harbour-5-lantern",
                    "auth:user-add --role domain-admin --scope example.com --password-file " + newPassword + " dom");
            assertTrue(added.contains("Account 'dom' created (domain-admin, scope example.com)"), added);
            assertThrows(IOException.class, () -> dist.sshAs("dom", "harbour-lights-secret-7", "portcullis:version"));
            String granted = dist.sshOnce("tide-harbour-5-lantern", "auth:grant dom lists-manage");
            assertTrue(granted.contains("Granted 'lists-manage' to dom"), granted);
            String list = dist.sshOnce("tide-harbour-5-lantern", "auth:user-list");
            assertTrue(list.matches("(?s).*admin\\s*.\\s*admin.*"), list);
            assertTrue(list.matches("(?s).*dom\\s*.\\s*domain-admin\\s*.\\s*example\\.com\\s*.\\s*lists-manage.*"), list);

            // a backup with a passphrase: made, listed, verified; a wrong passphrase refused in one line
            Path passphrase = dist.home.resolve("backup-passphrase");
            Files.writeString(passphrase, "a long backup passphrase\n");
            Path backupFile = dist.home.resolve("manual.pcbk");
            String made = dist.sshOnce("tide-harbour-5-lantern", "backup:create --passphrase-file " + passphrase + " --to " + backupFile);
            assertTrue(made.contains("Backup made: " + backupFile), made);
            assertTrue(made.matches("(?s).*\\d+ parts, [0-9.]+ KiB of data.*"), made);
            String verified = dist.sshOnce("tide-harbour-5-lantern", "backup:verify --passphrase-file " + passphrase + " " + backupFile);
            assertTrue(verified.contains("Backup is intact"), verified);
            assertTrue(verified.contains("database/auth.accounts") && verified.contains("database/lists.entries")
                    && verified.contains("config/etc/org.portcullis.storage.cfg"), verified);
            Files.writeString(passphrase, "not the right passphrase\n");
            String wrong = dist.sshOnce("tide-harbour-5-lantern", "backup:verify --passphrase-file " + passphrase + " " + backupFile);
            assertTrue(wrong.contains("wrong passphrase or key file for this backup"), wrong);
            String keyed = dist.sshOnce("tide-harbour-5-lantern", "backup:create");
            assertTrue(keyed.contains("Backup made: " + dist.home.resolve("data/portcullis/backups")), keyed);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dist.home.resolve("etc/portcullis-backup.key"))));
            String commands = dist.sshOnce("tide-harbour-5-lantern", "portcullis:commands");
            for (String c : List.of("auth:user-add", "lists:add", "backup:create", "milter:status", "storage:status", "portcullis:maintenance")) {
                assertTrue(commands.contains(c), c + " in:\n" + commands);
            }
            String backups = dist.sshOnce("tide-harbour-5-lantern", "backup:list");
            assertTrue(backups.contains("keyfile"), backups);
            java.util.regex.Matcher listed = java.util.regex.Pattern.compile("(portcullis-\\S+\\.pcbk)").matcher(backups);
            assertTrue(listed.find(), backups);
            String byName = dist.sshOnce("tide-harbour-5-lantern", "backup:verify " + listed.group(1));
            assertTrue(byName.contains("Backup is intact"), "a name as backup:list shows it is found in the backup directory: " + byName);

            dist.ssh("tide-harbour-5-lantern", "system:shutdown -f");
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
