package org.portcullis.rest.internal;

import org.portcullis.rest.ApiError;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.TreeMap;


import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.portcullis.auth.AuthException;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The pieces of the API that need no container: error mapping, the OpenAPI walk, public paths, the first certificate. */
class RestInternalsTest {

    private static ApiError body(ErrorMapper.Answer a) {
        return a.error();
    }

    @Test
    void everyStoreRefusalHasItsStatusAndCode() {
        Map<AuthException.Code, Integer> expected = Map.of(AuthException.Code.INVALID, 400, AuthException.Code.WEAK_PASSWORD, 400,
                AuthException.Code.FORBIDDEN, 403, AuthException.Code.NOT_FOUND, 404, AuthException.Code.DUPLICATE, 409,
                AuthException.Code.LAST_ADMIN, 409, AuthException.Code.UNAVAILABLE, 503);
        assertEquals(AuthException.Code.values().length, expected.size(), "every code has its expected status here");
        expected.forEach((code, status) -> {
            ErrorMapper.Answer r = ErrorMapper.answer(new AuthException(code, "why"));
            assertEquals(status, r.status(), code.id());
            assertEquals(code.id(), body(r).error());
            assertEquals("why", body(r).message());
        });
    }

    @Test
    void aNumberTooLongForTheParserIsA400NotA500() {
        record Login(String name, String password) {
        }
        String digits = "9".repeat(1500);
        ErrorMapper.Answer r = ErrorMapper.answer(capture(() -> new ObjectMapper().readValue("{\"name\": " + digits + "}", Login.class)));
        assertEquals(400, r.status());
        assertEquals("malformed_json", body(r).error());
        assertFalse(body(r).message().contains("999"), body(r).message());
    }

    @Test
    void aStateChangingRequestAWebPageCouldForgeIsRefused() {
        for (String form : java.util.List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                "TEXT/PLAIN; charset=utf-8")) {
            for (String method : java.util.List.of("POST", "PUT", "DELETE", "PATCH")) {
                String why = CrossSiteFilter.refusal(method, form);
                assertTrue(why != null && why.contains("any web page"), method + " " + form + ": " + why);
            }
        }
        assertTrue(CrossSiteFilter.refusal("POST", null).contains("needs a Content-Type"));
        assertEquals(null, CrossSiteFilter.refusal("POST", "application/json"));
        assertEquals(null, CrossSiteFilter.refusal("POST", "text/csv"));
        assertEquals(null, CrossSiteFilter.refusal("PUT", "application/octet-stream"));
        assertEquals(null, CrossSiteFilter.refusal("DELETE", null), "no page can send a DELETE without asking first");
        assertEquals(null, CrossSiteFilter.refusal("GET", "text/plain"));
    }

    @Test
    void malformedJsonIs400NamingTheFaultAndNeverEchoingTheBody() {
        record Body(String name, java.util.List<String> scopes) {
        }
        ObjectMapper json = new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        ErrorMapper.Answer broken = ErrorMapper.answer(capture(() -> json.readValue("{\"name\": \"secret-value\",", Body.class)));
        assertEquals(400, broken.status());
        assertTrue(body(broken).message().startsWith("the body is not valid JSON (line 1"), body(broken).message());
        assertFalse(body(broken).message().contains("secret-value"));
        assertEquals("unknown field 'nmae'", body(ErrorMapper.answer(capture(() -> json.readValue("{\"nmae\": \"x\"}", Body.class)))).message());
        assertEquals("field 'scopes' has the wrong type (expected a list)",
                body(ErrorMapper.answer(capture(() -> json.readValue("{\"scopes\": \"x\"}", Body.class)))).message());
    }

    @Test
    void theUnexpectedIsA500WithAReference() {
        ErrorMapper.Answer r = ErrorMapper.answer(new IllegalStateException("secret detail"));
        assertEquals(500, r.status());
        assertEquals("internal", body(r).error());
        assertFalse(body(r).message().contains("secret detail"));
        assertTrue(body(r).message().contains("reference"));
    }

    @Test
    void aRefusedTokenGetsABearerChallengeNotTheBasicOneThatOpensABrowsersDialog() {
        assertTrue(AuthenticationFilter.challenge("Bearer abc").startsWith("Bearer realm=\"Portcullis\""));
        assertTrue(AuthenticationFilter.challenge("bearer abc").startsWith("Bearer "));
        assertEquals("Basic realm=\"Portcullis\"", AuthenticationFilter.challenge("Basic YTpi"));
        assertEquals("Basic realm=\"Portcullis\"", AuthenticationFilter.challenge(null));
    }

    @Test
    void onlyLoginTheDocumentAndLinksArePublic() {
        assertTrue(AuthenticationFilter.isPublic("POST", "/auth/login"));
        assertTrue(AuthenticationFilter.isPublic("GET", "openapi.json"));
        assertFalse(AuthenticationFilter.isPublic("GET", "/auth/login"));
        assertFalse(AuthenticationFilter.isPublic("POST", "/auth/logout"));
        assertFalse(AuthenticationFilter.isPublic("GET", "/auth/users"));
        assertTrue(AuthenticationFilter.isPublic("GET", "/links/release/abc.def"));
        assertTrue(AuthenticationFilter.isPublic("POST", "links/release/abc.def"));
        assertFalse(AuthenticationFilter.isPublic("DELETE", "/links/release/abc.def"), "a link is shown and followed, nothing else");
        assertFalse(AuthenticationFilter.isPublic("GET", "/linksx/release"));
        assertFalse(AuthenticationFilter.isPublic("GET", "/quarantine/links/release/x"));
        assertFalse(AuthenticationFilter.isPublic("GET", "/links/../quarantine"));
        assertFalse(AuthenticationFilter.isPublic("POST", "/links/%2e%2e/auth/users"));
    }

    @Test
    void theDocumentListsEveryOperationWithItsRight() {
        Map<String, Map<String, Object>> paths = new TreeMap<>();
        JsonSchemas schemas = new JsonSchemas();
        OpenApiResource.describe(AuthResource.class, paths, schemas);
        OpenApiResource.describe(SystemResource.class, paths, schemas);
        assertEquals(java.util.Set.of("/auth/login", "/auth/logout", "/auth/me", "/auth/password", "/auth/users", "/auth/users/{name}",
                "/auth/users/{name}/rights/{right}", "/system/version", "/system/maintenance"), paths.keySet());
        @SuppressWarnings("unchecked")
        Map<String, Object> delete = (Map<String, Object>) paths.get("/auth/users/{name}").get("delete");
        assertEquals("accounts", delete.get("x-portcullis-right"));
        assertTrue(paths.get("/auth/users/{name}").containsKey("put"), "update is listed");
        @SuppressWarnings("unchecked")
        Map<String, Object> put = (Map<String, Object>) paths.get("/system/maintenance").get("put");
        assertEquals(true, put.get("x-portcullis-admin-only"));
        assertTrue(put.containsKey("requestBody"));
        @SuppressWarnings("unchecked")
        Map<String, Object> login = (Map<String, Object>) paths.get("/auth/login").get("post");
        assertEquals(java.util.List.of(), login.get("security"), "login is the one public operation of these");
        // bodies are described from their records: the login body, and the account list users answers with
        assertEquals(Map.of("required", true, "content", Map.of("application/json", Map.of("schema",
                Map.of("$ref", "#/components/schemas/AuthResource.Login")))), login.get("requestBody"));
        assertEquals(Map.of("type", "object", "properties", Map.of("name", Map.of("type", "string"), "password", Map.of("type", "string"))),
                schemas.named().get("AuthResource.Login"));
        @SuppressWarnings("unchecked")
        Map<String, Object> users = (Map<String, Object>) paths.get("/auth/users").get("get");
        assertEquals(Map.of("schema", Map.of("type", "array", "items", Map.of("$ref", "#/components/schemas/AuthResource.AccountView"))),
                ((Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) users.get("responses")).get("200")).get("content")).get("application/json"));
        @SuppressWarnings("unchecked")
        Map<String, Object> view = (Map<String, Object>) ((Map<String, Object>) schemas.named().get("AuthResource.AccountView"))
                .get("properties");
        assertEquals(Map.of("type", "array", "items", Map.of("type", "string")), view.get("scopes"));
    }

    @Test
    void theFirstCertificateIsPrivateAndNamesThisHostAndLoopback(@TempDir Path dir) throws Exception {
        Path ks = dir.resolve("keystore.p12");
        String password = TlsSetup.ensureKeystore(dir, ks);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ks)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("keystore.password"))));
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(ks)) {
            store.load(in, password.toCharArray());
        }
        X509Certificate cert = (X509Certificate) store.getCertificate("portcullis");
        cert.checkValidity();
        cert.verify(cert.getPublicKey());
        assertTrue(cert.getSubjectAlternativeNames().stream().anyMatch(n -> "127.0.0.1".equals(n.get(1))));
        assertEquals(password, TlsSetup.ensureKeystore(dir, ks), "the second boot keeps the first certificate");
    }

    @Test
    void anInstalledCertificateMustMatchItsKeyAndBeValidNow(@TempDir Path dir) throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        java.security.KeyPair pair = g.generateKeyPair();
        java.security.KeyPair other = g.generateKeyPair();
        X509Certificate cert = TlsSetup.selfSigned(pair, "mail.example.com", new java.security.SecureRandom());
        HttpsKeystore.check(pair.getPrivate(), java.util.List.of(cert));
        Exception wrongKey = capture(() -> HttpsKeystore.check(other.getPrivate(), java.util.List.of(cert)));
        assertEquals("the key does not match the certificate for O=Portcullis, CN=mail.example.com", wrongKey.getMessage());
        assertEquals("no certificate to install", capture(() -> HttpsKeystore.check(pair.getPrivate(), java.util.List.of())).getMessage());

        Path ks = dir.resolve("keystore.p12");
        HttpsKeystore.write(ks, "pw", pair.getPrivate(), java.util.List.of(cert));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ks)));
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(ks)) {
            store.load(in, "pw".toCharArray());
        }
        assertEquals(cert, store.getCertificate(TlsSetup.ALIAS), "under the alias Pax Web is set to serve");
    }

    @Test
    void theWebSettingsReplaceTheirLinesKeepTheRestAndLandWholeAndPrivate(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("org.ops4j.pax.web.cfg");
        Files.writeString(cfg, String.join("\n", "# HTTP", "org.osgi.service.http.enabled = true", "org.osgi.service.http.port = 8181",
                "#org.ops4j.pax.web.ssl.keystore = ${karaf.etc}/server.keystore", "#org.ops4j.pax.web.ssl.protocol = TLSv1.3",
                "javax.servlet.context.tempdir = ${karaf.data}/pax-web/tmp", ""));
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        settings.put("org.osgi.service.http.enabled", "false");
        settings.put("org.ops4j.pax.web.ssl.keystore", "/data/tls/keystore.p12");
        settings.put("org.osgi.service.http.secure.enabled", "true");
        TlsSetup.writeSettings(cfg, settings);
        assertEquals(String.join("\n", "# HTTP", "org.osgi.service.http.enabled = false", "org.osgi.service.http.port = 8181",
                "org.ops4j.pax.web.ssl.keystore = /data/tls/keystore.p12", "#org.ops4j.pax.web.ssl.protocol = TLSv1.3",
                "javax.servlet.context.tempdir = ${karaf.data}/pax-web/tmp", "org.osgi.service.http.secure.enabled = true", ""),
                Files.readString(cfg));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cfg)));
        java.util.Properties read = new java.util.Properties();
        try (var in = Files.newInputStream(cfg)) {
            read.load(in);
        }
        assertEquals("/data/tls/keystore.p12", read.getProperty("org.ops4j.pax.web.ssl.keystore"));
        TlsSetup.writeSettings(cfg, settings);
        assertEquals(1, Files.readAllLines(cfg).stream().filter(l -> l.startsWith("org.osgi.service.http.secure.enabled")).count(),
                "written twice, each setting still has one line");
    }

    private static Exception capture(ThrowingRunnable r) {
        try {
            r.run();
        } catch (Exception e) {
            return e;
        }
        throw new AssertionError("expected a failure");
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
