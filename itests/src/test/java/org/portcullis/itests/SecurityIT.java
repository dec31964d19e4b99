package org.portcullis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The attacks of the outside review, replayed against the running distribution over REST, SSH
 * and uploaded files; each now fails for the attacker (docs/SECURITY.md has the rules).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityIT {

    private static final String DOM_PASSWORD = "harbour-lights-secret-7";
    private static final String BOB_PASSWORD = "orchard-mist-passphrase-1";
    private static final long UPLOAD_LIMIT = 4 << 20;

    private Distribution dist;
    private ApiClient api;
    private SSLContext tls;
    private String admin;
    private String adminPassword;

    @BeforeAll
    void start() throws Exception {
        dist = Distribution.unpack(Paths.get("target", "security-it", Long.toString(System.nanoTime())).toAbsolutePath());
        // both admin listeners on loopback only: the addresses are configuration
        Distribution.setProperty(dist.home.resolve("etc/org.apache.karaf.shell.cfg"), "sshHost", "127.0.0.1");
        Files.writeString(dist.home.resolve("etc/org.ops4j.pax.web.cfg"), "org.ops4j.pax.web.listening.addresses = 127.0.0.1\n",
                java.nio.file.StandardOpenOption.APPEND);
        Distribution.setProperty(dist.home.resolve("etc/org.portcullis.backup.cfg"), "upload.max.bytes", Long.toString(UPLOAD_LIMIT));
        // a heap where 150 unbounded Argon2 checks (19 MiB each) could not fit
        dist.start(Map.of("JAVA_MAX_MEM", "512M"));
        adminPassword = dist.awaitFile(dist.home.resolve("data/portcullis/initial-admin-password")).strip();
        admin = ApiClient.basic("admin", adminPassword);
        api = new ApiClient(dist);
        tls = dist.tls();
        created(api.call("POST", "/auth/users", admin, "{\"name\":\"dom\",\"role\":\"domain-admin\",\"scopes\":[\"example.com\"],"
                + "\"password\":\"" + DOM_PASSWORD + "\"}"));
        assertEquals(200, api.call("POST", "/auth/users/dom/rights/accounts", admin, null).statusCode());
        created(api.call("POST", "/auth/users", admin, "{\"name\":\"bob\",\"role\":\"user\",\"scopes\":[\"bob@example.com\"],"
                + "\"password\":\"" + BOB_PASSWORD + "\"}"));
        assertEquals(200, api.call("POST", "/auth/users/bob/rights/backup", admin, null).statusCode());
    }

    @AfterAll
    void stop() {
        if (dist != null) {
            dist.close();
        }
    }

    @Test
    @Order(1)
    void theAccountsRightNeverMakesOrTouchesAnAdminNorGivesWhatItsHolderLacks() throws Exception {
        String dom = ApiClient.basic("dom", DOM_PASSWORD);
        forbidden(api.call("POST", "/auth/users", dom, "{\"name\":\"evil\",\"role\":\"admin\",\"password\":\"evil-admin-password-1\"}"),
                "cannot make an account admin");
        forbidden(api.call("POST", "/auth/password", dom, "{\"name\":\"admin\",\"password\":\"taken-over-admin-1\"}"), "not one you manage");
        forbidden(api.call("PUT", "/auth/users/dom", dom, "{\"role\":\"admin\"}"), "cannot make an account admin");
        forbidden(api.call("DELETE", "/auth/users/admin", dom, null), "not one you manage");
        forbidden(api.call("POST", "/auth/users", dom, "{\"name\":\"far\",\"role\":\"user\",\"scopes\":[\"far@other.example\"],"
                + "\"password\":\"far-away-password-1\"}"), "outside your domain-admin scope");
        // bob is in dom's domain but holds 'backup', which dom does not: taking bob over would gain it
        forbidden(api.call("POST", "/auth/password", dom, "{\"name\":\"bob\",\"password\":\"taken-over-account-1\"}"), "not one you manage");
        forbidden(api.call("POST", "/auth/users/dom/rights/backup", dom, null), "do not hold the right 'backup'");
        forbidden(api.call("POST", "/auth/users/role:domain-admin/rights/accounts", dom, null), "only an admin");
        // unknown and out-of-reach accounts are refused alike
        assertEquals(ApiClient.json(api.call("GET", "/auth/users/admin", dom, null)).get("message").asText().replace("admin", "ghost"),
                ApiClient.json(api.call("GET", "/auth/users/ghost", dom, null)).get("message").asText());

        // inside its reach it works
        created(api.call("POST", "/auth/users", dom, "{\"name\":\"helper\",\"role\":\"user\",\"scopes\":[\"helper@sales.example.com\"],"
                + "\"password\":\"lantern-wick-password-1\"}"));
        assertEquals(200, api.call("POST", "/auth/users/helper/rights/accounts", dom, null).statusCode());
        assertEquals(204, api.call("POST", "/auth/password", dom, "{\"name\":\"helper\",\"password\":\"lantern-wick-password-2\"}").statusCode());
        List<String> visible = new ArrayList<>();
        ApiClient.json(api.call("GET", "/auth/users", dom, null)).forEach(a -> visible.add(a.get("name").asText()));
        assertEquals(List.of("dom", "helper"), visible, "dom sees the accounts it manages, no more");

        assertEquals("admin", ApiClient.json(api.call("GET", "/auth/me", admin, null)).get("role").asText());
        assertEquals(401, api.call("GET", "/auth/me", ApiClient.basic("admin", "taken-over-admin-1"), null).statusCode());
        assertThrows(IOException.class, () -> dist.sshAs("evil", "evil-admin-password-1", "portcullis:version"), "no account 'evil'");
        assertThrows(IOException.class, () -> dist.sshAs("dom", DOM_PASSWORD, "portcullis:version"), "a domain-admin gets no shell");
    }

    @Test
    @Order(2)
    void theBackupRightMakesAndChecksBackupsButNeverReadsRestoresOrDeletesThem() throws Exception {
        String bob = ApiClient.basic("bob", BOB_PASSWORD);
        JsonNode made = api.job(bob, api.call("POST", "/backups", bob, "{\"passphrase\":\"bobs chosen passphrase\"}"));
        assertEquals("succeeded", made.get("state").asText(), made.toString());
        String name = made.get("file").asText();
        assertTrue(api.call("GET", "/backups", bob, null).body().contains(name));
        JsonNode verified = api.job(bob, api.call("POST", "/backups/" + name + "/verify", bob, "{\"passphrase\":\"bobs chosen passphrase\"}"));
        assertEquals("succeeded", verified.get("state").asText(), verified.toString());

        forbidden(api.call("GET", "/backups/" + name, bob, null), "only an admin");
        forbidden(api.send("PUT", "/backups/edited.pcbk", bob, HttpRequest.BodyPublishers.ofFile(backupFile(name)), "application/octet-stream"),
                "only an admin");
        forbidden(api.call("POST", "/backups/" + name + "/restore", bob, "{\"passphrase\":\"bobs chosen passphrase\"}"), "only an admin");
        forbidden(api.call("DELETE", "/backups/" + name, bob, null), "only an admin");
        assertEquals("user", ApiClient.json(api.call("GET", "/auth/me", bob, null)).get("role").asText());
        assertEquals(200, api.call("GET", "/backups/" + name, admin, null).statusCode(), "an admin downloads it");

        // the body is optional: an empty JSON POST makes a backup with the appliance key; a POST with no type is refused, saying why
        long errorsBefore = errorLines();
        JsonNode keyed = api.job(bob, api.call("POST", "/backups", bob, null));
        assertEquals("succeeded", keyed.get("state").asText(), keyed.toString());
        assertEquals("keyfile", keyed.get("backup").get("key").asText(), keyed.toString());
        HttpResponse<String> untyped = api.send("POST", "/backups", bob, HttpRequest.BodyPublishers.noBody(), null);
        assertEquals(415, untyped.statusCode(), untyped.body());
        assertTrue(untyped.body().contains("application/json when there is no body"), untyped.body());
        assertEquals(errorsBefore, errorLines(), "neither logs an ERROR");
    }

    private long errorLines() throws IOException {
        try (var lines = java.nio.file.Files.lines(dist.home.resolve("data/log/karaf.log"))) {
            return lines.filter(l -> l.contains("| ERROR |")).count();
        }
    }

    @Test
    @Order(3)
    void aPasswordChangeEndsTheSessionsAndNeedsTheCurrentPassword() throws Exception {
        String token = ApiClient.json(api.call("POST", "/auth/login", null, "{\"name\":\"bob\",\"password\":\"" + BOB_PASSWORD + "\"}"))
                .get("token").asText();
        String bearer = "Bearer " + token;
        HttpResponse<String> noCurrent = api.call("POST", "/auth/password", bearer, "{\"password\":\"stolen-token-password-1\"}");
        assertEquals(400, noCurrent.statusCode(), noCurrent.body());
        assertTrue(noCurrent.body().contains("needs your current password"), noCurrent.body());
        forbidden(api.call("POST", "/auth/password", bearer, "{\"current\":\"a-wrong-guess-here\",\"password\":\"stolen-token-password-1\"}"),
                "current password is wrong");
        assertEquals(204, api.call("POST", "/auth/password", bearer, "{\"current\":\"" + BOB_PASSWORD + "\",\"password\":\"orchard-mist-passphrase-2\"}")
                .statusCode());
        assertEquals(401, api.call("GET", "/auth/me", bearer, null).statusCode(), "the token from before the change is dead");
        assertEquals(200, api.call("GET", "/auth/me", ApiClient.basic("bob", "orchard-mist-passphrase-2"), null).statusCode());
    }

    @Test
    @Order(4)
    void concurrentGuessesAreCountedBeforeTheyAreChecked() throws Exception {
        created(api.call("POST", "/auth/users", admin, "{\"name\":\"victim\",\"role\":\"user\",\"scopes\":[\"victim@example.com\"],"
                + "\"password\":\"kettle-drum-password-1\"}"));
        ExecutorService pool = Executors.newFixedThreadPool(40);
        List<Future<Integer>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                int n = i;
                answers.add(pool.submit(() -> api.call("GET", "/auth/me", ApiClient.basic("victim", "guess-number-" + n), null).statusCode()));
            }
            for (Future<Integer> a : answers) {
                int status = a.get(60, TimeUnit.SECONDS);
                assertTrue(status == 401 || status == 429, "status " + status);
            }
        } finally {
            pool.shutdownNow();
        }
        long checked = awaitLogCount("Failed login for 'victim'", 5);
        assertEquals(5, checked, "40 guesses at once, 5 passwords checked (the threshold)");
    }

    @Test
    @Order(5)
    void aFloodOfLoginsFromManyAddressesIsBoundedAndTheAdminStillGetsIn() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(150);
        List<Future<Integer>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 150; i++) {
                String from = "127.0.1." + (i + 1);
                String body = "{\"name\":\"nobody-" + i + "\",\"password\":\"some-guess-or-other\"}";
                answers.add(pool.submit(() -> LocalHttps.request(tls, from, dist.httpsPort, "POST", "/api/v1/auth/login", null, body).status()));
            }
            int busy = 0;
            for (Future<Integer> a : answers) {
                int status = a.get(120, TimeUnit.SECONDS);
                assertTrue(status == 401 || status == 429, "status " + status);
                busy += status == 429 ? 1 : 0;
            }
            assertTrue(busy > 0, "past 4 checks at once, logins are answered 429");
        } finally {
            pool.shutdownNow();
        }
        assertFalse(Files.readString(log()).contains("OutOfMemoryError"));
        LocalHttps.Response mine = LocalHttps.request(tls, "127.0.0.2", dist.httpsPort, "POST", "/api/v1/auth/login", null,
                "{\"name\":\"admin\",\"password\":\"" + adminPassword + "\"}");
        assertEquals(200, mine.status(), mine.body());
    }

    @Test
    @Order(6)
    void aBadSourceIsHeldBackWithoutLockingTheAccountElsewhere() throws Exception {
        // wrong guesses from one address until it is held back for a few seconds (1 s, then 2 s, then 4 s)
        long end = System.nanoTime() + Distribution.DEADLINE.toNanos();
        for (int i = 0;; i++) {
            LocalHttps.Response guess = LocalHttps.request(tls, "127.0.0.3", dist.httpsPort, "GET", "/api/v1/auth/me",
                    ApiClient.basic("admin", "wrong-guess-" + i), null);
            assertEquals(401, guess.status());
            if (guess.header("retry-after") != null && Long.parseLong(guess.header("retry-after")) >= 3) {
                break;
            }
            assertTrue(System.nanoTime() < end, "never held back");
            Thread.sleep(200);
        }
        LocalHttps.Response held = LocalHttps.request(tls, "127.0.0.3", dist.httpsPort, "GET", "/api/v1/auth/me", admin, null);
        assertEquals(401, held.status(), "even the right password waits out the hold at that address");
        assertTrue(held.header("retry-after") != null, held.headers());
        assertEquals(200, LocalHttps.request(tls, "127.0.0.4", dist.httpsPort, "GET", "/api/v1/auth/me", admin, null).status(),
                "from another address the admin gets in at once");
        assertEquals("Portcullis " + System.getProperty("portcullis.version"),
                dist.sshFrom("127.0.0.5", "admin", adminPassword, "portcullis:version").strip(), "and over SSH");
    }

    @Test
    @Order(7)
    void badInputFormsAndFilesAreRefused() throws Exception {
        HttpResponse<String> big = api.call("POST", "/auth/login", null, "{\"name\": " + "9".repeat(1500) + ", \"password\": \"x\"}");
        assertEquals(400, big.statusCode(), big.body());
        assertEquals("malformed_json", ApiClient.json(big).get("error").asText());
        assertFalse(Files.readString(log()).contains("StreamConstraintsException"), "no stack trace for a client's mistake");

        // what a web page on another site could make a browser send is refused
        HttpResponse<String> form = api.call("POST", "/lists/import", admin, "list,scope,pattern\nblock,global,forged.example\n", "text/plain");
        assertEquals(415, form.statusCode(), form.body());
        assertFalse(api.call("GET", "/lists", admin, null).body().contains("forged.example"));
        HttpResponse<String> bare = api.send("POST", "/auth/users/helper/rights/lists-manage", admin, HttpRequest.BodyPublishers.noBody(), null);
        assertEquals(415, bare.statusCode(), bare.body());
        assertFalse(ApiClient.json(api.call("GET", "/auth/users/helper", admin, null)).get("rights").toString().contains("lists-manage"));

        // the keystore password's file is the service user's alone
        Path web = dist.home.resolve("etc/org.ops4j.pax.web.cfg");
        assertTrue(Files.readString(web).contains("org.ops4j.pax.web.ssl.keystore.password"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(web)));

        // SSH and HTTPS listen where they were told to: loopback only
        List<String> listening = listeningSockets();
        assertTrue(listening.contains("127.0.0.1:" + dist.sshPort), listening.toString());
        assertTrue(listening.contains("127.0.0.1:" + dist.httpsPort), listening.toString());
        for (int port : List.of(dist.sshPort, dist.httpsPort)) {
            assertFalse(listening.contains("0.0.0.0:" + port) || listening.contains("[::]:" + port) || listening.contains("[v6]:" + port),
                    port + ": " + listening);
        }
    }

    @Test
    @Order(8)
    void aBackupFileCannotSetItsOwnCostOrSize() throws Exception {
        JsonNode made = api.job(admin, api.call("POST", "/backups", admin, "{\"passphrase\":\"an admin passphrase\"}"));
        Path genuine = backupFile(made.get("file").asText());
        byte[] raised = withHeaderField(Files.readAllBytes(genuine), "scrypt-n=32768", "scrypt-n=1048576");

        HttpResponse<String> up = api.send("PUT", "/backups/raised.pcbk", admin, HttpRequest.BodyPublishers.ofByteArray(raised),
                "application/octet-stream");
        assertEquals(400, up.statusCode(), up.body());
        assertTrue(up.body().contains("asks for scrypt N=1048576"), up.body());
        Path placed = genuine.resolveSibling("raised.pcbk");
        Files.write(placed, raised);
        JsonNode verify = api.job(admin, api.call("POST", "/backups/raised.pcbk/verify", admin, "{\"passphrase\":\"an admin passphrase\"}"));
        assertEquals("failed", verify.get("state").asText());
        assertTrue(verify.get("error").asText().contains("beyond what Portcullis writes"), verify.toString());

        // larger than upload.max.bytes: refused whether it says its length or not, and nothing stays
        byte[] oversized = new byte[(int) UPLOAD_LIMIT + (1 << 20)];
        System.arraycopy(Files.readAllBytes(genuine), 0, oversized, 0, (int) Math.min(Files.size(genuine), oversized.length));
        assertEquals(413, api.send("PUT", "/backups/big.pcbk", admin, HttpRequest.BodyPublishers.ofByteArray(oversized),
                "application/octet-stream").statusCode());
        int streamed = statusOrReset(() -> api.send("PUT", "/backups/big2.pcbk", admin,
                HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(oversized)), "application/octet-stream"));
        assertTrue(streamed == 413 || streamed == -1, "streamed without a length: " + streamed);
        // not a backup at all: refused at its header, not after 300 MB
        int bogus = statusOrReset(() -> api.send("PUT", "/backups/bogus.pcbk", admin,
                HttpRequest.BodyPublishers.ofInputStream(() -> new Zeros(300L << 20)), "application/octet-stream"));
        assertTrue(bogus == 400 || bogus == -1, "a 300 MB non-backup: " + bogus);
        try (var files = Files.list(genuine.getParent())) {
            List<String> names = files.map(f -> f.getFileName().toString()).toList();
            assertTrue(names.stream().noneMatch(n -> n.startsWith("big") || n.startsWith("bogus") || n.endsWith(".upload")), names.toString());
        }
    }

    @Test
    @Order(9)
    void wadlIsClosedAndAnOutageOfTheAccountStoreFailsClosed() throws Exception {
        HttpResponse<String> wadl = api.call("GET", "/?_wadl", null, null);
        assertEquals(401, wadl.statusCode(), wadl.body());
        assertFalse(wadl.body().contains("<application"), wadl.body());
        HttpResponse<String> wadlAsAdmin = api.call("GET", "/system/version?_wadl", admin, null);
        assertTrue(wadlAsAdmin.body().startsWith("{\"product\":\"Portcullis\""), "no WADL even with credentials: " + wadlAsAdmin.body());

        Path storage = dist.home.resolve("etc/org.portcullis.storage.cfg");
        String embedded = Files.readString(storage);
        Files.writeString(storage, embedded + "url = jdbc:postgresql://127.0.0.1:" + Distribution.freePort() + "/nowhere\n");
        long end = System.nanoTime() + Distribution.DEADLINE.toNanos();
        // settled: the filter answers 503 for lack of the store (while the whiteboard rebuilds the application
        // there are moments when CXF itself answers 404 "No service was found": nothing is served either way)
        while (api.call("GET", "/system/version", admin, null).statusCode() != 503) {
            assertTrue(System.nanoTime() < end, "the account store never went away");
            Thread.sleep(200);
        }
        // the document is public; while the whiteboard rebuilds the application CXF may answer its HTML 404 for a moment
        HttpResponse<String> doc = api.call("GET", "/openapi.json", null, null);
        while (doc.statusCode() != 200 || !doc.body().startsWith("{")) {
            assertTrue(System.nanoTime() < end, "no OpenAPI document while the store is down: " + doc.statusCode() + " " + doc.body());
            Thread.sleep(200);
            doc = api.call("GET", "/openapi.json", null, null);
        }
        JsonNode document = ApiClient.json(doc);
        for (Iterator<Map.Entry<String, JsonNode>> p = document.get("paths").fields(); p.hasNext();) {
            Map.Entry<String, JsonNode> path = p.next();
            for (Iterator<String> m = path.getValue().fieldNames(); m.hasNext();) {
                String method = m.next().toUpperCase(java.util.Locale.ROOT);
                String url = path.getKey().replaceAll("\\{[^}]+}", "x");
                if (url.equals("/openapi.json")) {
                    continue;
                }
                HttpResponse<String> r = api.call(method, url, null, method.equals("GET") || method.equals("DELETE") ? null : "{}");
                assertTrue(r.statusCode() == 503 || r.statusCode() == 404 && r.body().contains("No service was found"),
                        method + " " + url + " while the store is down: " + r.statusCode() + " " + r.body());
            }
        }
        int admin503 = api.call("GET", "/system/version", admin, null).statusCode();
        assertTrue(admin503 == 503 || admin503 == 404, "even with the right password nothing is served: " + admin503);

        Files.writeString(storage, embedded);
        while (api.call("GET", "/system/version", admin, null).statusCode() != 200) {
            assertTrue(System.nanoTime() < end, "the account store never came back");
            if (Files.readString(storage).contains("/nowhere")) {
                // Karaf's file watcher wrote the previous configuration back over the edit: edit again
                Files.writeString(storage, embedded);
            }
            Thread.sleep(300);
        }
        assertEquals(401, api.call("GET", "/system/version", null, null).statusCode(), "anonymous again: 401");
    }

    private Path log() {
        return dist.home.resolve("data/log/karaf.log");
    }

    private Path backupFile(String name) {
        return dist.home.resolve("data/portcullis/backups").resolve(name);
    }

    /** Polls the log until {@code text} appears {@code expected} times (or the deadline), then counts once more. */
    private long awaitLogCount(String text, int expected) throws Exception {
        long end = System.nanoTime() + Distribution.DEADLINE.toNanos();
        while (count(text) < expected && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        api.call("GET", "/auth/me", admin, null); // one more request through the same loggers
        return count(text);
    }

    private long count(String text) throws IOException {
        return Files.readString(log()).split(java.util.regex.Pattern.quote(text), -1).length - 1L;
    }

    /** The backup with one header field's text replaced, its header length adjusted; the segments untouched. */
    private static byte[] withHeaderField(byte[] file, String from, String to) {
        ByteBuffer in = ByteBuffer.wrap(file);
        in.position(10);
        int length = in.getInt();
        String header = new String(file, 14, length, StandardCharsets.UTF_8);
        assertTrue(header.contains(from), header);
        byte[] edited = header.replace(from, to).getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(file.length - length + edited.length);
        out.put(file, 0, 10).putInt(edited.length).put(edited).put(file, 14 + length, file.length - 14 - length);
        return out.array();
    }

    /**
     * TCP sockets listening now, as {@code address:port} (IPv4-mapped IPv6 ones as IPv4, any IPv6
     * address as {@code [::]}, another as {@code [v6]}), from /proc/net/tcp and tcp6.
     */
    private static List<String> listeningSockets() throws IOException {
        List<String> out = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Paths.get(table))) {
                String[] f = line.strip().split("\\s+");
                if (f.length > 3 && f[3].equals("0A")) {
                    String[] hp = f[1].split(":");
                    int port = Integer.parseInt(hp[1], 16);
                    String hex = hp[0];
                    if (hex.length() == 8 || hex.startsWith("0000000000000000FFFF0000")) { // IPv4, or IPv4 mapped into IPv6
                        long a = Long.parseLong(hex.substring(hex.length() - 8), 16);
                        out.add((a & 0xff) + "." + (a >> 8 & 0xff) + "." + (a >> 16 & 0xff) + "." + (a >> 24 & 0xff) + ":" + port);
                    } else {
                        out.add((hex.matches("0+") ? "[::]" : "[v6]") + ":" + port);
                    }
                }
            }
        }
        return out;
    }

    private interface Call {
        HttpResponse<String> send() throws Exception;
    }

    /** The status, or -1 when the server closed the connection while the body was still being sent. */
    private static int statusOrReset(Call call) throws Exception {
        try {
            return call.send().statusCode();
        } catch (IOException reset) {
            return -1;
        }
    }

    private static void created(HttpResponse<String> r) {
        assertEquals(201, r.statusCode(), r.body());
    }

    private static void forbidden(HttpResponse<String> r, String messagePart) throws IOException {
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(ApiClient.json(r).get("message").asText().contains(messagePart), r.body());
    }

    /** {@code size} zero bytes, made as they are read. */
    private static final class Zeros extends InputStream {
        private long left;

        Zeros(long size) {
            left = size;
        }

        @Override
        public int read() {
            return left-- > 0 ? 0 : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }
    }

    @Test
    @Order(10)
    void aShellSessionOfAnAccountNoLongerAdminIsRefusedAtItsNextCommand() throws Exception {
        created(api.call("POST", "/auth/users", admin, "{\"name\":\"ops\",\"role\":\"admin\",\"password\":\"signal-lamp-password-3\"}"));
        String[] out = dist.sshSession("ops", "signal-lamp-password-3", "lists:list", () -> {
            assertEquals(200, api.call("PUT", "/auth/users/ops", admin, "{\"role\":\"domain-admin\",\"scopes\":[\"example.com\"]}")
                    .statusCode());
            return assertEqualsOk(api.call("POST", "/auth/users/ops/rights/lists-manage", admin, null));
        }, "lists:list");
        assertTrue(out[0].contains("Pattern"), "an admin's session lists the entries: " + out[0]);
        assertTrue(out[1].contains("the shell is for admins, and 'ops' is a domain-admin now"),
                "the same session, after the demotion, is refused although the account holds lists-manage: " + out[1]);
        assertFalse(out[1].contains("Pattern"), out[1]);
        assertThrows(IOException.class, () -> dist.sshAs("ops", "signal-lamp-password-3", "portcullis:version"), "no new shell either");
    }

    private static int assertEqualsOk(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        return r.statusCode();
    }
}
