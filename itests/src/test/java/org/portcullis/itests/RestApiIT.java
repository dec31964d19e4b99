package org.portcullis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The REST API of the running distribution: every operation of the OpenAPI document is walked
 * without credentials (401) and as an account without rights (403 where a right is needed), so
 * a new endpoint is covered as soon as it exists; one account store for REST and SSH; bad input
 * answered with the error body, never a 500.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private ApiClient api;
    private Distribution dist;
    private String adminPassword;
    private String initialPassword;

    @BeforeAll
    void start() throws Exception {
        dist = Distribution.unpack(Paths.get("target", "rest-api-it", Long.toString(System.nanoTime())).toAbsolutePath());
        dist.start();
        adminPassword = dist.awaitFile(dist.home.resolve("data/portcullis/initial-admin-password")).strip();
        initialPassword = adminPassword;
        api = new ApiClient(dist);
        HttpResponse<String> created = call("POST", "/auth/users", basic("admin", adminPassword),
                "{\"name\":\"dom\",\"role\":\"domain-admin\",\"scopes\":[\"example.com\"],\"password\":\"harbour-lights-secret-7\"}");
        assertEquals(201, created.statusCode(), created.body());
    }

    @AfterAll
    void stop() {
        if (dist != null) {
            dist.close();
        }
    }

    @Test
    @Order(0)
    void theApiIsServedOverHttpsOnlyWithTheGeneratedCertificate() throws Exception {
        assertEquals(200, call("GET", "/openapi.json", null, null).statusCode());
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThrows(IOException.class, () -> plain.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + dist.httpPort + "/api/v1/openapi.json")).build(), HttpResponse.BodyHandlers.ofString()),
                "plain HTTP is switched off");
        String cfg = Files.readString(dist.home.resolve("etc/org.ops4j.pax.web.cfg"));
        assertTrue(cfg.contains("org.osgi.service.http.secure.enabled = true"), cfg);
    }

    @Test
    @Order(1)
    void everyOperationAnswers401WithoutCredentialsAnd403WithoutItsRight() throws Exception {
        JsonNode document = JSON.readTree(call("GET", "/openapi.json", null, null).body());
        JsonNode paths = document.get("paths");
        // bodies of every bundle's resources are described, by their record types
        JsonNode schemas = document.get("components").get("schemas");
        assertEquals("string", schemas.get("ListsResource.NewEntry").get("properties").get("pattern").get("type").asText(), schemas.toString());
        assertEquals("#/components/schemas/BackupsResource.JobView", paths.get("/backups/jobs").get("get").get("responses").get("200")
                .get("content").get("application/json").get("schema").get("items").get("$ref").asText(), paths.get("/backups/jobs").toString());
        int walked = 0;
        int needingARight = 0;
        List<String> seen = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> p = paths.fields(); p.hasNext();) {
            Map.Entry<String, JsonNode> path = p.next();
            for (Iterator<Map.Entry<String, JsonNode>> o = path.getValue().fields(); o.hasNext();) {
                Map.Entry<String, JsonNode> op = o.next();
                String method = op.getKey().toUpperCase(java.util.Locale.ROOT);
                JsonNode operation = op.getValue();
                String url = path.getKey().replaceAll("\\{[^}]+}", "nobody");
                String media = operation.has("requestBody") ? operation.get("requestBody").get("content").fieldNames().next()
                        : "application/json";
                String body = !operation.has("requestBody") ? null : media.equals("application/json") ? "{}" : "";
                seen.add(method + " " + path.getKey());
                if (operation.has("security") && operation.get("security").isEmpty()) {
                    continue; // public: login, the OpenAPI document
                }
                walked++;
                HttpResponse<String> anonymous = call(method, url, null, body, media);
                assertEquals(401, anonymous.statusCode(), method + " " + url + ": " + anonymous.body());
                assertEquals("unauthorized", JSON.readTree(anonymous.body()).get("error").asText(), method + " " + url);
                assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"), method + " " + url);

                HttpResponse<String> asDom = call(method, url, basic("dom", "harbour-lights-secret-7"), body, media);
                if (operation.has("x-portcullis-right") || operation.has("x-portcullis-admin-only")) {
                    needingARight++;
                    assertEquals(403, asDom.statusCode(), method + " " + url + ": " + asDom.body());
                    assertEquals("forbidden", JSON.readTree(asDom.body()).get("error").asText());
                } else {
                    assertFalse(asDom.statusCode() == 401 || asDom.statusCode() == 403, method + " " + url + ": " + asDom.body());
                }
                assertTrue(asDom.statusCode() < 500, method + " " + url + ": " + asDom.body());
            }
        }
        assertTrue(walked >= 12, "the document lists the API's operations: " + seen);
        assertTrue(needingARight >= 6, "operations needing a right: " + needingARight + " of " + seen);
        assertTrue(seen.contains("POST /auth/login") && seen.contains("PUT /system/maintenance"), seen.toString());
    }

    @Test
    @Order(2)
    void badInputGetsA4xxWithTheErrorBodyNeverA500() throws Exception {
        String admin = basic("admin", adminPassword);
        assertError(call("POST", "/auth/users", admin, "{\"name\": \"x\","), 400, "malformed_json", "not valid JSON");
        assertError(call("POST", "/auth/users", admin, "{\"name\":\"x\",\"rol\":\"admin\"}"), 400, "malformed_json", "unknown field 'rol'");
        assertError(call("POST", "/auth/users", admin, "{\"name\":\"x\",\"role\":\"user\",\"scopes\":\"a@b.c\",\"password\":\"p\"}"), 400,
                "malformed_json", "field 'scopes' has the wrong type (expected a list)");
        assertError(call("POST", "/auth/users", admin, "{\"name\":\"y\",\"role\":\"user\",\"scopes\":[\"y@example.com\"],\"password\":\"short\"}"),
                400, "weak_password", "at least 12 characters");
        assertError(call("POST", "/auth/users", admin, "{\"name\":\"dom\",\"role\":\"user\",\"scopes\":[\"d@example.com\"],"
                + "\"password\":\"another-long-secret\"}"), 409, "duplicate", "already exists");
        assertError(call("GET", "/auth/users/ghost", admin, null), 404, "not_found", "no account 'ghost'");
        assertError(call("POST", "/auth/users", admin, "{\"name\":\"z\",\"role\":\"root\",\"password\":\"another-long-secret\"}"), 400,
                "invalid", "unknown role 'root'");
        assertError(call("GET", "/no/such/thing", admin, null), 404, "not_found", "Not Found");
        assertEquals(401, call("GET", "/no/such/thing", null, null).statusCode(), "anonymous callers learn nothing, not even 404");
        assertError(call("PUT", "/auth/users/admin", admin, "{\"role\":\"user\",\"scopes\":[\"admin@example.com\"]}"), 409,
                "last_admin", "last admin");
        HttpResponse<String> users = call("GET", "/auth/users", admin, null);
        assertFalse(users.body().contains("argon2"), "no hash ever leaves the store: " + users.body());
    }

    @Test
    @Order(3)
    void oneAccountStoreForRestAndShell() throws Exception {
        // a token from login works like Basic, until logout
        HttpResponse<String> login = call("POST", "/auth/login", null,
                "{\"name\":\"admin\",\"password\":\"" + adminPassword + "\"}");
        assertEquals(200, login.statusCode(), login.body());
        String token = JSON.readTree(login.body()).get("token").asText();
        assertEquals("admin", JSON.readTree(call("GET", "/auth/me", "Bearer " + token, null).body()).get("name").asText());
        assertEquals(204, call("POST", "/auth/logout", "Bearer " + token, null).statusCode());
        assertEquals(401, call("GET", "/auth/me", "Bearer " + token, null).statusCode());

        // changed over REST: SSH takes the new password at once, and not the old one
        assertEquals(204, call("POST", "/auth/password", basic("admin", adminPassword),
                "{\"current\":\"" + adminPassword + "\",\"password\":\"rest-changed-secret-1\"}").statusCode());
        assertEquals("Portcullis " + System.getProperty("portcullis.version"),
                dist.ssh("rest-changed-secret-1", "portcullis:version").strip());
        assertThrows(IOException.class, () -> dist.sshOnce(adminPassword, "portcullis:version"));

        // changed in the shell: REST takes the new one, and not the old one
        Path file = dist.home.resolve("shell-password");
        Files.writeString(file, "shell-changed-secret-2\n");
        assertTrue(dist.sshOnce("rest-changed-secret-1", "auth:passwd --password-file " + file).contains("changed"));
        assertEquals(200, call("GET", "/auth/me", basic("admin", "shell-changed-secret-2"), null).statusCode());
        assertEquals(401, call("GET", "/auth/me", basic("admin", "rest-changed-secret-1"), null).statusCode());
        adminPassword = "shell-changed-secret-2";
    }

    @Test
    @Order(6)
    void repeatedFailuresBackOffAndRelease() throws Exception {
        HttpResponse<String> last = null;
        for (int i = 0; i < 5; i++) {
            last = call("GET", "/auth/me", basic("dom", "wrong-guess-" + i), null);
            assertEquals(401, last.statusCode());
        }
        assertTrue(last.headers().firstValue("Retry-After").isPresent(), "locked out after 5 failures: " + last.headers().map());
        HttpResponse<String> locked = call("GET", "/auth/me", basic("dom", "harbour-lights-secret-7"), null);
        assertEquals(401, locked.statusCode(), "even the right password waits out the lock");
        assertEquals(JSON.readTree(last.body()).get("message").asText(), JSON.readTree(locked.body()).get("message").asText());
        long wait = Long.parseLong(locked.headers().firstValue("Retry-After").orElse("1"));
        Thread.sleep(wait * 1000 + 200);
        assertEquals(200, call("GET", "/auth/me", basic("dom", "harbour-lights-secret-7"), null).statusCode(), "released");
    }

    @Test
    @Order(4)
    void aDomainAdminManagesOnlyTheListsOfItsDomains() throws Exception {
        String admin = basic("admin", adminPassword);
        String dom = basic("dom", "harbour-lights-secret-7");
        assertEquals(200, call("POST", "/auth/users/dom/rights/lists-manage", admin, null).statusCode());
        HttpResponse<String> global = call("POST", "/lists", admin, "{\"list\":\"block\",\"pattern\":\"bad.example\"}");
        assertEquals(201, global.statusCode(), global.body());
        long globalId = JSON.readTree(global.body()).get("id").asLong();

        assertEquals(201, call("POST", "/lists", dom,
                "{\"list\":\"allow\",\"scope\":\"domain:example.com\",\"pattern\":\"partner.example\"}").statusCode());
        assertEquals(201, call("POST", "/lists", dom,
                "{\"list\":\"block\",\"scope\":\"user:bob@sales.example.com\",\"pattern\":\"192.0.2.0/24\"}").statusCode());
        assertError(call("POST", "/lists", dom, "{\"list\":\"block\",\"scope\":\"domain:other.example\",\"pattern\":\"x.example\"}"),
                403, "forbidden", "outside your domain-admin scope");
        assertError(call("POST", "/lists", dom, "{\"list\":\"block\",\"pattern\":\"x.example\"}"), 403, "forbidden", "scope 'global'");
        assertError(call("DELETE", "/lists/" + globalId, dom, null), 403, "forbidden", "outside");
        JsonNode visible = JSON.readTree(call("GET", "/lists", dom, null).body());
        assertEquals(2, visible.size(), "only its own domain's entries: " + visible);
        assertEquals(3, JSON.readTree(call("GET", "/lists", admin, null).body()).size());

        assertError(call("POST", "/lists", dom, "{\"list\":\"block\",\"scope\":\"domain:example.com\",\"pattern\":\"192.0.2.5/24\"}"),
                400, "invalid", "pattern '192.0.2.5/24': has host bits set");
        assertError(call("POST", "/lists", dom, "{\"list\":\"allow\",\"scope\":\"domain:example.com\",\"pattern\":\"partner.example\"}"),
                409, "duplicate", "exists already");
        assertError(call("POST", "/lists/import", admin, "list,scope,pattern\nblock,global,good.example\nblock,galaxy,x.example\n", "text/csv"),
                400, "invalid", "1 bad line(s), nothing imported: line 3: scope 'galaxy'");
        JsonNode check = JSON.readTree(call("GET", "/lists/check?sender=x@partner.example&rcpt=ann@example.com", dom, null).body());
        assertEquals("allow", check.get("decisive").get("list").asText(), check.toString());
    }

    @Test
    @Order(5)
    void noPasswordOrTokenEverReachesTheLogOrTheConfiguration() throws Exception {
        HttpResponse<String> login = call("POST", "/auth/login", null, "{\"name\":\"admin\",\"password\":\"" + adminPassword + "\"}");
        String token = JSON.readTree(login.body()).get("token").asText();
        call("GET", "/auth/me", "Bearer " + token, null);
        String log = Files.readString(dist.home.resolve("data/log/karaf.log"));
        String config = dist.sshOnce(adminPassword, "config:list");
        for (String secret : List.of(initialPassword, adminPassword, "rest-changed-secret-1", "harbour-lights-secret-7", "wrong-guess-0", token)) {
            assertFalse(log.contains(secret), "the log holds a secret");
            assertFalse(config.contains(secret), "config:list shows a secret");
        }
        assertTrue(config.contains("org.portcullis.auth"), "config:list was read: " + config.length() + " characters");
    }

    private void assertError(HttpResponse<String> r, int status, String error, String messagePart) throws IOException {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(error, body.get("error").asText(), r.body());
        assertTrue(body.get("message").asText().contains(messagePart), r.body());
        assertFalse(r.body().contains("Exception") || r.body().contains("\tat "), "no stack trace: " + r.body());
    }

    private static String basic(String user, String password) {
        return ApiClient.basic(user, password);
    }

    private HttpResponse<String> call(String method, String path, String authorization, String body)
            throws IOException, InterruptedException {
        return api.call(method, path, authorization, body);
    }

    private HttpResponse<String> call(String method, String path, String authorization, String body, String media)
            throws IOException, InterruptedException {
        return api.call(method, path, authorization, body, media);
    }
}
