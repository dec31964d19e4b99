package org.portcullis.itests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.portcullis.backup.BackupParticipant;
import org.portcullis.backup.internal.BackupCrypto;
import org.portcullis.backup.internal.BackupFiles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Backups of the running distribution: made and restored over SSH and REST with everything
 * back, a restore killed with SIGKILL in the middle of its database load leaving the old state,
 * and the refusals (another product version, a file that is not a backup, a wrong passphrase).
 * A schema of a million rows, registered as a bundle's schema is, gives the restore its length.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupRestoreIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROWS = 1_000_000;

    private Distribution dist;
    private String password;
    private Path passphrase;
    private Path schedule;

    @BeforeAll
    void start() throws Exception {
        dist = Distribution.unpack(Paths.get("target", "backup-it", Long.toString(System.nanoTime())).toAbsolutePath());
        dist.start();
        password = dist.awaitFile(dist.home.resolve("data/portcullis/initial-admin-password")).strip();
        dist.awaitSsh(password, "storage:status", "State    : reachable");
        passphrase = dist.home.resolve("backup-passphrase");
        Files.writeString(passphrase, "a long backup passphrase\n");
        schedule = dist.home.resolve("etc/org.portcullis.backup.schedule.cfg");
        sql("CREATE SCHEMA itest_bulk", "CREATE TABLE itest_bulk.rows (id bigint PRIMARY KEY, payload text NOT NULL)",
                "INSERT INTO itest_bulk.rows SELECT g, md5(g::text) FROM generate_series(1, " + ROWS + ") g",
                "INSERT INTO storage.schema_history (schema_name, version, description, checksum, applied_by, execution_ms) "
                        + "VALUES ('itest_bulk', 1, 'bulk', 'none', 'itest', 0)");
    }

    @AfterAll
    void stop() throws Exception {
        if (dist != null) {
            try {
                dist.ssh(password, "system:shutdown -f");
                dist.awaitExit();
            } finally {
                dist.close();
            }
        }
    }

    @Test
    @Order(1)
    void aRestorePutsDataAndConfigurationBackAndAKilledOneLeavesTheOldState() throws Exception {
        // state A, backed up
        assertTrue(ssh("lists:add block kept@spam.example").contains("Added #"));
        setKeep(5);
        Path file = dist.home.resolve("a.pcbk");
        String made = ssh("backup:create --passphrase-file " + passphrase + " --to " + file);
        assertTrue(made.contains("Backup made: " + file), made);
        assertTrue(made.matches("(?s).*writing\\s+\\d+ parts?, [0-9.]+ MiB\\s+database/itest_bulk\\.rows.*"), "progress shown: " + made);

        // state B, then the restore
        String later = ssh("lists:add block later@spam.example");
        sql("DELETE FROM itest_bulk.rows WHERE id <= 1000");
        setKeep(2);
        String restored = ssh("backup:restore --passphrase-file " + passphrase + " " + file);
        assertTrue(restored.contains("Backup restored: " + file), restored);
        assertTrue(restored.matches("(?s).*restoring\\s+part \\d+ of \\d+, [0-9.]+ MiB of [0-9.]+ MiB.*"), restored);
        String lists = ssh("lists:list");
        assertTrue(lists.contains("kept@spam.example") && !lists.contains("later@spam.example"), lists + "\n" + later);
        assertEquals(ROWS, count());
        assertTrue(Files.readString(schedule).contains("keep = 5"), Files.readString(schedule));
        dist.awaitSsh(password, "config:property-get --pid org.portcullis.backup.schedule keep", "5");
        assertTrue(ssh("portcullis:maintenance status").contains("Maintenance: off"));
        assertFalse(Files.exists(dist.home.resolve("data/portcullis/restore")));

        // state C; a restore killed while PostgreSQL loads the big table
        ssh("lists:add block third@spam.example");
        sql("DELETE FROM itest_bulk.rows WHERE id <= 500");
        setKeep(3);
        String listsC = ssh("lists:list");
        String scheduleC = Files.readString(schedule);
        CompletableFuture<String> running = CompletableFuture.supplyAsync(() -> {
            try {
                return ssh("backup:restore --passphrase-file " + passphrase + " " + file);
            } catch (Exception e) {
                return e.toString();
            }
        });
        awaitCopyIntoBulk();
        dist.kill9();
        Path journal = dist.home.resolve("data/portcullis/restore/journal.properties");
        assertTrue(Files.readString(journal).contains("transaction=-1"), "killed before the commit point: " + Files.readString(journal));
        running.get();

        dist.start();
        dist.awaitSsh(password, "storage:status", "State    : reachable");
        assertEquals(listsC, ssh("lists:list"));
        assertEquals(ROWS - 500, count());
        assertEquals(scheduleC, Files.readString(schedule));
        assertTrue(ssh("portcullis:maintenance status").contains("Maintenance: off"), "maintenance back as it was");
        assertFalse(Files.exists(dist.home.resolve("data/portcullis/restore")));
        assertTrue(Files.readString(dist.home.resolve("data/log/karaf.log")).contains("interrupted before its database commit: nothing changed"));
    }

    @Test
    @Order(2)
    void refusalsChangeNothing() throws Exception {
        String lists = ssh("lists:list");
        // another product version: a genuine backup (right passphrase), made by 0.0.9
        Path old = dist.home.resolve("old.pcbk");
        BackupParticipant one = new BackupParticipant() {
            @Override
            public String name() {
                return "database";
            }

            @Override
            public void backup(Output out) throws IOException {
                try (OutputStream o = out.part("schemas")) {
                    o.write("lists 1\n".getBytes(StandardCharsets.UTF_8));
                }
            }
        };
        BackupFiles.create(old, BackupFiles.newHeader("0.0.9", "elsewhere", "passphrase"),
                h -> BackupCrypto.keyFromPassphrase("a long backup passphrase".toCharArray(), h), List.of(one), p -> { });
        String version = System.getProperty("portcullis.version");
        assertTrue(ssh("backup:restore --passphrase-file " + passphrase + " " + old).contains("this backup was made by Portcullis 0.0.9, "
                + "this system runs " + version + ": restore it on 0.0.9, or take a new backup"));
        Path notABackup = dist.home.resolve("notes.pcbk");
        Files.writeString(notABackup, "these are not the bytes of a backup\n");
        assertTrue(ssh("backup:restore " + notABackup).contains("not a Portcullis backup (it does not start with the PCBACKUP mark)"));
        Path wrong = dist.home.resolve("wrong-passphrase");
        Files.writeString(wrong, "not the right passphrase\n");
        assertTrue(ssh("backup:restore --passphrase-file " + wrong + " " + dist.home.resolve("a.pcbk"))
                .contains("wrong passphrase or key file for this backup"));
        assertEquals(lists, ssh("lists:list"));
        assertEquals(ROWS - 500, count());
        assertTrue(ssh("portcullis:maintenance status").contains("Maintenance: off"));
    }

    @Test
    @Order(3)
    void theRestApiUploadsDownloadsAndRunsJobs() throws Exception {
        HttpClient http = dist.https();
        String base = "https://127.0.0.1:" + dist.httpsPort + "/api/v1/backups";
        String auth = "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));

        // upload streamed from the file, listed, downloaded byte for byte
        Path file = dist.home.resolve("a.pcbk");
        HttpResponse<String> up = http.send(HttpRequest.newBuilder(URI.create(base + "/uploaded.pcbk")).header("Authorization", auth)
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofFile(file)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, up.statusCode(), up.body());
        assertEquals(Files.size(file), JSON.readTree(up.body()).get("bytes").asLong());
        HttpResponse<String> junk = http.send(HttpRequest.newBuilder(URI.create(base + "/junk.pcbk")).header("Authorization", auth)
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofString("junk")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, junk.statusCode(), junk.body());
        assertTrue(junk.body().contains("not a Portcullis backup"), junk.body());
        assertTrue(get(http, base, auth).contains("\"name\":\"uploaded.pcbk\""));
        assertFalse(get(http, base, auth).contains("junk.pcbk"), "a refused upload leaves nothing");
        HttpResponse<Path> down = http.send(HttpRequest.newBuilder(URI.create(base + "/uploaded.pcbk")).header("Authorization", auth).build(),
                HttpResponse.BodyHandlers.ofFile(dist.home.resolve("downloaded.pcbk")));
        assertEquals(200, down.statusCode());
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(down.body()));

        // bad requests: one-line errors, nothing started
        HttpResponse<String> badName = http.send(HttpRequest.newBuilder(URI.create(base + "/.hidden.pcbk")).header("Authorization", auth)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, badName.statusCode(), badName.body());
        assertTrue(badName.body().contains("a backup name is letters, digits"), badName.body());
        assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "/none.pcbk")).header("Authorization", auth).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        HttpResponse<String> shortPass = post(http, base + "/uploaded.pcbk/restore", auth, "{\"passphrase\":\"short\"}");
        assertEquals(400, shortPass.statusCode(), shortPass.body());
        assertTrue(shortPass.body().contains("the passphrase is shorter than 12 characters"), shortPass.body());
        HttpResponse<String> badJson = post(http, base + "/uploaded.pcbk/restore", auth, "{\"passphrase\": ");
        assertEquals(400, badJson.statusCode(), badJson.body());
        HttpResponse<String> unknownField = post(http, base, auth, "{\"passfrase\":\"a long backup passphrase\"}");
        assertEquals(400, unknownField.statusCode(), unknownField.body());
        assertTrue(JSON.readTree(get(http, base + "/jobs", auth)).isEmpty(), "no job was started by a bad request");

        // jobs: a wrong passphrase fails with the reason; verify and restore succeed with progress to the end
        JsonNode failed = job(http, auth, post(http, base + "/uploaded.pcbk/verify", auth, "{\"passphrase\":\"not the right passphrase\"}"));
        assertEquals("failed", failed.get("state").asText());
        assertTrue(failed.get("error").asText().startsWith("wrong passphrase or key file"), failed.toString());
        JsonNode verified = job(http, auth, post(http, base + "/uploaded.pcbk/verify", auth, "{\"passphrase\":\"a long backup passphrase\"}"));
        assertEquals("succeeded", verified.get("state").asText(), verified.toString());
        assertTrue(verified.get("parts").toString().contains("database/itest_bulk.rows"), verified.toString());
        ssh("lists:add block rest-later@spam.example");
        JsonNode restored = job(http, auth, post(http, base + "/uploaded.pcbk/restore", auth, "{\"passphrase\":\"a long backup passphrase\"}"));
        assertEquals("succeeded", restored.get("state").asText(), restored.toString());
        assertEquals(restored.get("partsTotal").asInt(), restored.get("partsDone").asInt());
        assertEquals(restored.get("bytesTotal").asLong(), restored.get("bytesDone").asLong());
        assertFalse(ssh("lists:list").contains("rest-later@spam.example"));
        assertEquals(ROWS, count());

        // a new backup made by a job, with the appliance key file
        JsonNode created = job(http, auth, post(http, base, auth, "{}"));
        assertEquals("succeeded", created.get("state").asText(), created.toString());
        assertEquals("keyfile", created.get("backup").get("key").asText());
        assertTrue(created.get("partsTotal").asInt() > 0 && created.get("partsTotal").asInt() == created.get("partsDone").asInt()
                && created.get("bytesTotal").asLong() == created.get("bytesDone").asLong(), "a finished job knows its totals: " + created);
        assertTrue(Files.isRegularFile(dist.home.resolve("data/portcullis/backups").resolve(created.get("file").asText())));
        HttpResponse<String> gone = http.send(HttpRequest.newBuilder(URI.create(base + "/" + created.get("file").asText()))
                .header("Authorization", auth).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, gone.statusCode());
        assertFalse(get(http, base, auth).contains(created.get("file").asText()));
    }

    @Test
    @Order(4)
    void scheduledBackupsRunOnTheCronAndKeepOnlyTheNewest() throws Exception {
        Path dir = dist.home.resolve("data/portcullis/backups");
        Files.writeString(schedule, Files.readString(schedule).replaceAll("(?m)^cron = .*$", "cron = 0/3 * * * * ?")
                .replaceAll("(?m)^keep = \\d+$", "keep = 1"));
        Path log = dist.home.resolve("data/log/karaf.log");
        long end = System.nanoTime() + Distribution.DEADLINE.toNanos();
        while (Files.readString(log).split("Scheduled backup scheduled-", -1).length < 3) {
            assertTrue(System.nanoTime() < end, "two scheduled backups within " + Distribution.DEADLINE);
            Thread.sleep(200);
        }
        Files.writeString(schedule, Files.readString(schedule).replaceAll("(?m)^cron = .*$", "cron ="));
        while (!Files.readString(log).contains("Scheduled backups are off")) {
            assertTrue(System.nanoTime() < end, "the schedule was switched off");
            Thread.sleep(200);
        }
        try (var files = Files.list(dir)) {
            List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
            assertEquals(1, names.stream().filter(n -> n.startsWith("scheduled-portcullis-") && n.endsWith(".pcbk")).count(), names.toString());
            assertTrue(names.contains("uploaded.pcbk"), "a backup not made by the schedule is never deleted by it: " + names);
        }
        String listed = ssh("backup:list");
        assertTrue(listed.contains("scheduled-portcullis-"), listed);
    }

    private static String get(HttpClient http, String url, String auth) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", auth).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static HttpResponse<String> post(HttpClient http, String url, String auth, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", auth).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode job(HttpClient http, String auth, HttpResponse<String> accepted) throws Exception {
        return new ApiClient(dist).job(auth, accepted);
    }

    private String ssh(String command) throws Exception {
        return dist.ssh(password, command);
    }

    private void setKeep(int keep) throws IOException {
        Files.writeString(schedule, Files.readString(schedule).replaceAll("(?m)^keep = \\d+$", "keep = " + keep));
    }

    /** Waits until PostgreSQL is loading the bulk table for a restore. */
    private void awaitCopyIntoBulk() throws Exception {
        long end = System.nanoTime() + Distribution.DEADLINE.toNanos();
        try (Connection c = connect(); Statement st = c.createStatement()) {
            while (System.nanoTime() < end) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY \"itest_bulk\".\"rows\" FROM%'")) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        throw new AssertionError("the restore never loaded itest_bulk.rows");
    }

    private long count() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM itest_bulk.rows")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void sql(String... statements) throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private Connection connect() throws Exception {
        String port = Files.readString(dist.home.resolve("etc/org.portcullis.storage.cfg")).replaceAll("(?s).*embedded.port = (\\d+).*", "$1");
        String pw = Files.readString(dist.home.resolve("data/postgresql/superuser-password")).strip();
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port.strip() + "/portcullis", "postgres", pw);
    }
}
