package org.portcullis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Two containers on one database, as two cluster nodes: they share one account store. The first
 * admin is created once, by one of them; a password changed on one node is the password on the
 * other within a second, and the old one stops working there too.
 */
class SharedAccountsIT {

    private static final String VERSION = "Portcullis " + System.getProperty("portcullis.version");

    @Test
    void twoNodesShareOneAccountStore() throws Exception {
        Path parent = Paths.get("target", "shared-accounts-it", Long.toString(System.nanoTime())).toAbsolutePath();
        try (EmbeddedPostgres db = EmbeddedPostgres.builder().setDataDirectory(Files.createDirectories(parent.resolve("pg")))
                .setCleanDataDirectory(true).start();
                Distribution a = Distribution.unpack(parent.resolve("a"));
                Distribution b = Distribution.unpack(parent.resolve("b"))) {
            String url = "url = jdbc:postgresql://127.0.0.1:" + db.getPort() + "/postgres\nuser = postgres\n";
            Files.writeString(a.home.resolve("etc/org.portcullis.storage.cfg"), url);
            Files.writeString(b.home.resolve("etc/org.portcullis.storage.cfg"), url);
            a.start();
            b.start();

            // one of them made the first admin; the other finds it and writes no password
            Path fileA = a.home.resolve("data/portcullis/initial-admin-password");
            Path fileB = b.home.resolve("data/portcullis/initial-admin-password");
            String password = awaitEither(a, fileA, fileB);
            Distribution other = Files.exists(fileA) ? b : a;
            Distribution first = other == b ? a : b;
            assertEquals(VERSION, other.ssh(password, "portcullis:version").strip(), "the other node knows the same admin");
            assertFalse(Files.exists(other == b ? fileB : fileA), "only one node created the first admin");

            Path newPassword = first.home.resolve("new-password");
            Files.writeString(newPassword, "shared-store-harbour-8\n");
            String changed = first.ssh(password, "auth:passwd --password-file " + newPassword);
            assertTrue(changed.contains("Password of 'admin' changed"), changed);
            long changedAt = System.nanoTime();
            assertEquals(VERSION, other.sshOnce("shared-store-harbour-8", "portcullis:version").strip());
            long tookMillis = (System.nanoTime() - changedAt) / 1_000_000;
            assertThrows(IOException.class, () -> other.sshOnce(password, "portcullis:version"));
            // the SSH login itself (connect, key exchange, Argon2) is inside this bound
            assertTrue(tookMillis < 1000, "the new password held on the other node after " + tookMillis + " ms");

            // failed logins count cluster-wide: guesses from one address, alternating between the nodes, are held
            // back after the threshold (5) in total — one failed SSH login above included — not 5 per node
            List<ApiClient> nodes = List.of(new ApiClient(first), new ApiClient(other));
            int guesses = 0;
            int firstHeldBack = 0;
            long end = System.nanoTime() + Distribution.DEADLINE.toNanos();
            while (true) {
                java.net.http.HttpResponse<String> guess = nodes.get(guesses % 2).call("GET", "/auth/me",
                        ApiClient.basic("admin", "wrong-guess-" + guesses), null);
                assertEquals(401, guess.statusCode());
                guesses++;
                long retryAfter = guess.headers().firstValue("retry-after").map(Long::parseLong).orElse(0L);
                firstHeldBack = firstHeldBack == 0 && retryAfter > 0 ? guesses : firstHeldBack;
                if (retryAfter >= 3) {
                    break; // held for 4 s now: long enough to ask the other node
                }
                assertTrue(System.nanoTime() < end, "never held back");
                Thread.sleep(200);
            }
            assertTrue(firstHeldBack >= 1 && firstHeldBack <= 5, "held back after " + firstHeldBack
                    + " guesses spread over both nodes (with counts per node it takes 8 or more)");
            java.net.http.HttpResponse<String> onTheOther = nodes.get(guesses % 2).call("GET", "/auth/me",
                    ApiClient.basic("admin", "shared-store-harbour-8"), null);
            assertEquals(401, onTheOther.statusCode(), "the other node holds the account back at that address too, right password or not");
            assertTrue(onTheOther.headers().firstValue("retry-after").isPresent(), onTheOther.headers().toString());
        }
    }

    /** Waits until one of the two nodes has written the first admin's password. */
    private static String awaitEither(Distribution a, Path fileA, Path fileB) throws Exception {
        long end = System.nanoTime() + Distribution.DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            for (Path f : new Path[] {fileA, fileB}) {
                if (Files.isRegularFile(f) && Files.size(f) > 0) {
                    return Files.readString(f).strip();
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("neither node created the first admin:\n" + a.console());
    }
}
