package org.portcullis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The web console in Debian's Chromium against the running distribution, with mail through a real
 * Postfix: every page in English and Japanese (screenshots under {@code target/console-screenshots}),
 * the password shared with the shell both ways, a Block entry added in the browser refusing mail
 * that the mail-log page then shows, pages and rights, the login's hold-back, and the headers that
 * keep the console safe.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {

    private static final Path SHOTS = Paths.get("target", "console-screenshots").toAbsolutePath();
    private static final Path CATALOGUES = Paths.get("..", "bundles", "console", "src", "main", "resources", "console", "i18n");
    private static final List<String> ADMIN_PAGES = List.of("dashboard", "maillog", "quarantine", "lists", "backups", "updates", "cluster",
            "certificates", "accounts", "password");

    private Path work;
    private SmtpSink sink;
    private Distribution dist;
    private PostfixInstance gateway;
    private ApiClient api;
    private String password;

    @BeforeAll
    void startEverything() throws Exception {
        work = Paths.get("target", "console-it", Long.toString(System.nanoTime())).toAbsolutePath();
        Files.createDirectories(work);
        sink = SmtpSink.start();
        dist = Distribution.unpack(work.resolve("dist"));
        // released mail goes back in through the gateway's re-injection listener
        int reinjectPort = Distribution.freePort();
        Files.writeString(dist.home.resolve("etc/org.portcullis.quarantine.cfg"), "reinject.host = 127.0.0.1\nreinject.port = " + reinjectPort
                + "\nreinject.timeout.seconds = 30\n");
        dist.start();
        password = dist.awaitFile(dist.home.resolve("data/portcullis/initial-admin-password")).strip();
        api = new ApiClient(dist);
        gateway = PostfixInstance.create("gateway", Distribution.freePort(), sink.port, "127.0.0.1:" + dist.milterPort, reinjectPort);
        gateway.start();
    }

    @AfterAll
    void stopEverything() {
        for (AutoCloseable c : new AutoCloseable[] {gateway, sink, dist}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.err.println("ConsoleIT: closing " + c + ": " + e);
            }
        }
    }

    @Test
    @Order(1)
    void theFilesNeedNoCredentialsTheApiDoesAndTheHeadersForbidInlineCodeAndFraming() throws Exception {
        for (String path : List.of("/console/", "/console/app.js", "/console/api.js", "/console/pages/lists.js", "/console/style.css",
                "/console/i18n/ja.json")) {
            HttpResponse<String> r = get(path);
            assertEquals(200, r.statusCode(), path);
            String policy = r.headers().firstValue("content-security-policy").orElse("");
            assertTrue(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'") && !policy.contains("unsafe"),
                    path + ": " + policy);
            assertEquals("DENY", r.headers().firstValue("x-frame-options").orElse(""), path);
            assertEquals("nosniff", r.headers().firstValue("x-content-type-options").orElse(""), path);
            assertFalse(r.body().contains(password), "a file of the console holds the admin's password");
        }
        HttpResponse<String> root = get("/");
        assertEquals(302, root.statusCode());
        assertTrue(root.headers().firstValue("location").orElse("").endsWith("/console/"), root.headers().toString());
        for (String climbing : List.of("/console/../etc/users.properties", "/console/%2e%2e/%2e%2e/etc/org.ops4j.pax.web.cfg",
                "/console/pages/..%2f..%2fetc/users.properties")) {
            HttpResponse<String> r = get(climbing);
            assertTrue(r.statusCode() == 400 || r.statusCode() == 404, climbing + " → " + r.statusCode() + " " + r.body());
        }
        assertEquals(404, get("/console/nothing.js").statusCode());

        // the API the console calls refuses it without the login's token, and a made-up token
        assertEquals(401, api.call("GET", "/auth/me", null, null).statusCode());
        HttpResponse<String> forged = api.call("GET", "/lists", "Bearer made-up-token", null);
        assertEquals(401, forged.statusCode());
        assertTrue(forged.headers().firstValue("www-authenticate").orElse("").startsWith("Bearer"),
                "a refused token is not answered with a Basic challenge (a browser would pop up its own login): " + forged.headers());
    }

    @Test
    @Order(2)
    void everyPageInEnglishAndJapaneseByKeyboardAtDesktopAndPhoneWidth() throws Exception {
        for (String lang : List.of("en", "ja")) {
            JsonNode words = ApiClient.JSON.readTree(CATALOGUES.resolve(lang + ".json").toFile());
            try (Browser b = new Browser(dist.httpsPort, lang)) {
                b.open("/");
                // the login page in the browser's language, and the keyboard alone logs in
                assertEquals(words.get("login.title").asText(), b.await(By.cssSelector("#login h1")).getText());
                b.screenshot(SHOTS.resolve(lang + "-login.png"));
                WebElement focused = b.driver.switchTo().activeElement();
                assertEquals("username", focused.getAttribute("name"), "the account field has the focus");
                focused.sendKeys("admin", Keys.TAB);
                b.driver.switchTo().activeElement().sendKeys(password, Keys.ENTER);
                b.await(By.id("nav"));
                for (String page : ADMIN_PAGES) {
                    WebElement link = b.await(By.id("nav-" + page));
                    assertEquals(words.get("page." + page).asText(), link.getText(), lang + " " + page);
                    link.click();
                    WebElement h1 = b.await(By.cssSelector("#page-" + page + " h1"));
                    assertEquals(words.get("page." + page).asText(), h1.getText());
                    assertEquals(0L, ((Number) b.driver.executeScript("return window.scrollY;")).longValue(), "the header stays in sight");
                    Thread.sleep(600); // the page's first answer from the API is drawn (the screenshot is for people)
                    String text = b.driver.findElement(By.tagName("body")).getText();
                    // a key missing from the catalogue shows itself
                    words.fieldNames().forEachRemaining(key -> assertFalse(key.contains(".") && text.contains(key),
                            lang + " " + page + " shows the catalogue key " + key + ":\n" + text));
                    b.screenshot(SHOTS.resolve(lang + "-" + page + ".png"));
                    b.size(390, 844);
                    b.screenshot(SHOTS.resolve(lang + "-" + page + "-phone.png"));
                    long overflow = (Long) b.driver.executeScript(
                            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
                    assertTrue(overflow <= 0, lang + " " + page + " is wider than a phone's screen by " + overflow + " px");
                    b.size(1280, 800);
                }
                if (lang.equals("ja")) {
                    assertTrue(b.driver.findElement(By.id("nav")).getText().contains("メールログ"));
                }
                // the keyboard: a nav link opens its page, and the skip link moves to the content without leaving it
                b.driver.findElement(By.id("nav-lists")).sendKeys(Keys.ENTER);
                b.await(By.id("page-lists"));
                assertEquals("page", b.driver.findElement(By.id("nav-lists")).getAttribute("aria-current"));
                b.driver.findElement(By.cssSelector("a.skip")).sendKeys(Keys.ENTER);
                assertEquals("main", b.driver.switchTo().activeElement().getAttribute("id"));
                assertFalse(b.driver.findElements(By.id("page-lists")).isEmpty(), "the skip link left the page");
                // the dashboard's live parts for an admin
                b.driver.findElement(By.id("nav-dashboard")).click();
                assertEquals(System.getProperty("portcullis.version"), b.await(By.id("dash-version")).getText());
                b.await(By.id("dash-verdicts"));
                b.await(By.id("dash-scanners"));
                b.await(By.id("dash-cluster"));
                assertEquals(words.get("role.node.primary").asText(), b.driver.findElement(By.cssSelector("#dash-cluster td")).getText());
                assertEquals(List.of(), b.severeLog(), "the browser's console (a policy violation shows there)");
                for (String page : List.of("dashboard", "maillog", "lists")) {
                    b.driver.findElement(By.id("nav-" + page)).click();
                    b.await(By.cssSelector("#page-" + page + " h1"));
                    Thread.sleep(600);
                    assertEquals(List.of(), b.lowContrast(), lang + " " + page + ": text below WCAG AA contrast (4.5:1)");
                }
            }
        }
        try (Browser b = new Browser(dist.httpsPort, "en")) {
            b.open("/console/");
            b.login("admin", password);
            new Select(b.driver.findElement(By.id("lang"))).selectByValue("ja");
            b.awaitText(By.id("nav"), "ダッシュボード");
            assertEquals("ja", b.driver.findElement(By.tagName("html")).getAttribute("lang"));
        }
    }

    @Test
    @Order(3)
    void aBlockEntryAddedInTheBrowserRefusesMailThatTheMailLogPageShows() throws Exception {
        try (Browser b = new Browser(dist.httpsPort, "en")) {
            b.loginTo("admin", password, "lists");
            WebElement pattern = b.await(By.cssSelector("#lists-add input[name=pattern]"));
            new Select(b.driver.findElement(By.cssSelector("#lists-add select[name=list]"))).selectByValue("block");
            pattern.sendKeys("spammer@bad.test");
            b.driver.findElement(By.cssSelector("#lists-add input[name=comment]")).sendKeys("seen in the console test");
            b.driver.findElement(By.cssSelector("#lists-add button[type=submit]")).click();
            b.awaitText(By.id("lists-results"), "spammer@bad.test");
            b.awaitText(By.id("notice"), "Added to the Block list");
            // the dashboard is open while the mail comes: its per-minute figures move on their own
            b.driver.findElement(By.id("nav-dashboard")).click();
            b.await(By.id("dash-verdicts"));

            String refused = SmtpClient.send(gateway.smtpPort, "spammer@bad.test", "bob@example.test",
                    "Subject: from the block list\r\nMessage-ID: <blocked-1@console.test>\r\n\r\nbody\r\n");
            assertTrue(refused.startsWith("550 5.7.1") && refused.contains("Block list"), refused);
            String fine = SmtpClient.send(gateway.smtpPort, "friend@good.test", "bob@example.test",
                    "Subject: fine\r\nMessage-ID: <fine-1@console.test>\r\n\r\nbody\r\n");
            assertTrue(fine.startsWith("250"), fine);
            String toCarol = SmtpClient.send(gateway.smtpPort, "friend@good.test", "carol@example.test",
                    "Subject: for carol\r\nMessage-ID: <carol-1@console.test>\r\n\r\nbody\r\n");
            assertTrue(toCarol.startsWith("250"), toCarol);

            for (String row : List.of("deliver", "early:rcpt:reject")) {
                By perMinute = By.cssSelector("#dash-verdicts tr[data-verdict='" + row + "'] td.per-minute");
                String rate = b.until(d -> d.findElements(perMinute).stream().map(WebElement::getText)
                        .filter(v -> v.matches("[0-9.]+") && Double.parseDouble(v) > 0).findFirst().orElse(null));
                assertTrue(Double.parseDouble(rate) > 0, row + " " + rate);
            }
            assertTrue(b.driver.findElement(By.id("dash-verdicts")).getText().contains("refused at RCPT: rejected"));
            b.screenshot(SHOTS.resolve("en-dashboard-live.png"));

            b.driver.findElement(By.id("nav-maillog")).click();
            WebElement from = b.await(By.cssSelector("#maillog-search input[name=from]"));
            from.sendKeys("spammer@bad.test");
            b.driver.findElement(By.cssSelector("#maillog-search button[type=submit]")).click();
            String rows = b.awaitText(By.id("maillog-results"), "spammer@bad.test");
            assertTrue(rows.contains("rejected") && rows.contains("Block list"), rows);
            assertFalse(rows.contains("friend@good.test"), "the search is by sender: " + rows);
            b.driver.findElement(By.cssSelector("#maillog-results button.link")).click();
            String story = b.awaitText(By.id("maillog-story"), "The story of message");
            assertTrue(story.contains("spammer@bad.test") && story.contains("550 5.7.1") && story.contains("bob@example.test"), story);
            b.screenshot(SHOTS.resolve("en-maillog-story.png"));

            // the entry goes again from the browser, and the same sender's mail passes
            b.driver.findElement(By.id("nav-lists")).click();
            b.awaitText(By.id("lists-results"), "spammer@bad.test");
            b.driver.findElement(By.cssSelector("#lists-results tr[data-pattern='spammer@bad.test'] button.danger")).click();
            b.until(d -> d.switchTo().alert()).accept();
            b.awaitText(By.id("notice"), "Removed: spammer@bad.test");
            String passes = SmtpClient.send(gateway.smtpPort, "spammer@bad.test", "bob@example.test",
                    "Subject: after removal\r\nMessage-ID: <unblocked-1@console.test>\r\n\r\nbody\r\n");
            assertTrue(passes.startsWith("250"), passes);

            // a CSV file imported in the browser: a bad line is named and nothing is stored; the mended file is
            Path csv = work.resolve("import.csv");
            String good = "list,scope,pattern,comment,expires\nblock,,*.imported.test,from a file,\nallow,,friend@imported.test,,\n";
            Files.writeString(csv, good + "nonsense,,x,,\n");
            b.driver.findElement(By.cssSelector("#lists-import input[type=file]")).sendKeys(csv.toString());
            b.driver.findElement(By.cssSelector("#lists-import button[type=submit]")).click();
            b.awaitText(By.id("notice"), "line 4: ");
            assertFalse(dist.ssh(password, "lists:list --pattern imported.test").contains("imported.test"), "all or nothing");
            Files.writeString(csv, good);
            b.driver.findElement(By.cssSelector("#lists-import input[type=file]")).clear();
            b.driver.findElement(By.cssSelector("#lists-import input[type=file]")).sendKeys(csv.toString());
            b.driver.findElement(By.cssSelector("#lists-import button[type=submit]")).click();
            b.awaitText(By.id("notice"), "Imported: 2 added, 0 already there, 0 errors");
            b.awaitText(By.id("lists-results"), "*.imported.test");
            b.driver.findElement(By.id("lists-export")).click();
            String exported = new String(b.awaitDownload("portcullis-lists.csv"), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(exported.contains("block,global,*.imported.test,from a file") && exported.contains("friend@imported.test"), exported);
            assertTrue(dist.ssh(password, "lists:list --pattern imported.test").contains("friend@imported.test"));
        }
    }

    @Test
    @Order(4)
    void aPasswordChangedInTheBrowserIsTheShellsAndTheReverse() throws Exception {
        String browserSet = "console-changed-harbour-7";
        try (Browser b = new Browser(dist.httpsPort, "en")) {
            b.loginTo("admin", password, "password");
            b.await(By.cssSelector("#password-form input[name=current]")).sendKeys(password);
            b.driver.findElement(By.cssSelector("#password-form input[name=new]")).sendKeys(browserSet);
            b.driver.findElement(By.cssSelector("#password-form input[name=again]")).sendKeys(browserSet);
            b.driver.findElement(By.cssSelector("#password-form button[type=submit]")).click();
            b.awaitText(By.id("login-status"), "Password changed");
        }
        String old = password;
        password = browserSet;
        assertEquals("Portcullis " + System.getProperty("portcullis.version"), dist.sshOnce(browserSet, "portcullis:version").strip());
        assertThrows(IOException.class, () -> dist.sshOnce(old, "portcullis:version"), "the shell still takes the old password");

        String shellSet = "shell-changed-lantern-9";
        Path file = work.resolve("new-password");
        Files.writeString(file, shellSet + "\n");
        assertTrue(dist.sshOnce(browserSet, "auth:passwd --password-file " + file).contains("Password of 'admin' changed"));
        password = shellSet;
        try (Browser b = new Browser(dist.httpsPort, "en")) {
            b.open("/console/");
            b.fillLogin("admin", browserSet);
            b.awaitText(By.id("login-status"), "Wrong account or password");
            b.login("admin", shellSet);
            assertTrue(b.await(By.id("who")).getText().startsWith("admin"));
        }
    }

    @Test
    @Order(5)
    void anAccountSeesOnlyThePagesOfItsRightsAndTheApiRefusesTheRest() throws Exception {
        String admin = ApiClient.basic("admin", password);
        // the admin makes the account in the browser, grants it a right and takes it back
        try (Browser b = new Browser(dist.httpsPort, "en")) {
            b.loginTo("admin", password, "accounts");
            b.await(By.cssSelector("#accounts-add input[name=name]")).sendKeys("viewer");
            new Select(b.driver.findElement(By.cssSelector("#accounts-add select[name=role]"))).selectByValue("user");
            b.driver.findElement(By.cssSelector("#accounts-add input[name=scopes]")).sendKeys("bob@example.test");
            b.driver.findElement(By.cssSelector("#accounts-add input[name=password]")).sendKeys("harbour-lamp-31-view");
            b.driver.findElement(By.cssSelector("#accounts-add button[type=submit]")).click();
            b.awaitText(By.id("notice"), "Account viewer added");
            By row = By.cssSelector("#accounts-results tr[data-account='viewer']");
            b.awaitText(row, "bob@example.test");
            new Select(b.driver.findElement(By.cssSelector("#accounts-results tr[data-account='viewer'] select"))).selectByValue("metrics");
            b.driver.findElement(By.cssSelector("#accounts-results tr[data-account='viewer'] td.actions button")).click();
            b.awaitText(row, "metrics");
            assertTrue(dist.ssh(password, "auth:user-list").contains("viewer"), "the shell sees the browser's account");
            assertTrue(api.call("GET", "/auth/users/viewer", admin, null).body().contains("\"metrics\""));
            b.driver.findElement(By.cssSelector("#accounts-results tr[data-account='viewer'] ul.chips button")).click();
            b.awaitText(By.id("notice"), "viewer no longer has the right: metrics");
            b.until(d -> "accounts-results".equals(d.switchTo().activeElement().getAttribute("id")) ? true : null);
            assertFalse(api.call("GET", "/auth/users/viewer", admin, null).body().contains("\"metrics\""));
        }
        try (Browser b = new Browser(dist.httpsPort, "en")) {
            b.open("/console/#/lists");
            b.login("viewer", "harbour-lamp-31-view");
            String nav = b.await(By.id("nav")).getText();
            assertTrue(nav.contains("Mail log") && nav.contains("My password"), nav);
            for (String hidden : List.of("nav-lists", "nav-accounts", "nav-certificates")) {
                assertTrue(b.driver.findElements(By.id(hidden)).isEmpty(), hidden + " shown to an account without the right");
            }
            b.await(By.id("page-dashboard")); // #/lists asked for: the dashboard instead
            assertTrue(b.driver.findElements(By.id("dash-verdicts")).isEmpty(), "metrics shown without the right");
            b.driver.findElement(By.id("nav-maillog")).click();
            String seen = b.awaitText(By.id("maillog-results"), "friend@good.test");
            assertFalse(seen.contains("carol@example.test"), "a user sees its own address's mail only: " + seen);
            b.driver.findElement(By.id("logout")).click();
            b.awaitText(By.id("login-status"), "You are logged out.");
            assertTrue(b.driver.findElements(By.id("page-maillog")).isEmpty() && !b.driver.findElement(By.id("nav")).isDisplayed(),
                    "nothing of the account's pages is left on the screen");
        }
        assertEquals(403, api.call("GET", "/lists", ApiClient.basic("viewer", "harbour-lamp-31-view"), null).statusCode());
        assertEquals(403, api.call("POST", "/lists", ApiClient.basic("viewer", "harbour-lamp-31-view"),
                "{\"list\": \"allow\", \"pattern\": \"x@y.test\"}").statusCode(), "a call the console would not offer");
    }

    @Test
    @Order(6)
    void heldMailIsReleasedInTheBrowserAndAnAccountWithoutTheRightHasNoButtonAndIsRefused() throws Exception {
        Path scanner = work.resolve("marker-spam.jar");
        Files.write(scanner, TestBundle.markerSpamScanner());
        assertTrue(dist.ssh(password, "bundle:install -s " + scanner.toUri()).contains("Bundle ID"));
        dist.awaitSsh(password, "service:list org.portcullis.scanner.MessageScanner", "marker-spam");
        String held = SmtpClient.send(gateway.smtpPort, "promo@shop.test", "bob@example.test", "Subject: deals\r\nMessage-ID: <held-1@console.test>"
                + "\r\n\r\nSPAM-MARKER deals\r\nEND-OF-CONSOLE-MESSAGE\r\n");
        assertTrue(held.startsWith("250"), held);

        // the viewer (bob's own account, no release right) sees it, without a button; a forged call is refused
        try (Browser b = new Browser(dist.httpsPort, "en")) {
            b.loginTo("viewer", "harbour-lamp-31-view", "quarantine");
            String rows = b.awaitText(By.id("quarantine-results"), "promo@shop.test");
            assertTrue(rows.contains("bob@example.test — held") && rows.contains("spam"), rows);
            assertTrue(b.driver.findElements(By.cssSelector("#quarantine-results button.release")).isEmpty(), "a release button without the right");
        }
        String id = ApiClient.json(api.call("GET", "/quarantine?from=promo@shop.test", ApiClient.basic("admin", password), null)).get(0)
                .get("id").asText();
        HttpResponse<String> forged = api.call("POST", "/quarantine/" + id + "/release", ApiClient.basic("viewer", "harbour-lamp-31-view"), "{}");
        assertEquals(403, forged.statusCode(), forged.body());
        assertTrue(sink.messages("END-OF-CONSOLE-MESSAGE").isEmpty(), "nothing released by the refused call");

        // the admin releases it in the browser, and it arrives at the sink once
        try (Browser b = new Browser(dist.httpsPort, "en")) {
            b.loginTo("admin", password, "quarantine");
            b.awaitText(By.id("quarantine-results"), "promo@shop.test");
            b.screenshot(SHOTS.resolve("en-quarantine-held.png"));
            b.driver.findElement(By.cssSelector("#quarantine-results tr[data-held-id='" + id + "'] button.release")).click();
            b.awaitText(By.id("notice"), "released to: bob@example.test");
            long end = System.nanoTime() + Distribution.DEADLINE.toNanos();
            while (sink.messages("END-OF-CONSOLE-MESSAGE").isEmpty() && System.nanoTime() < end) {
                Thread.sleep(200);
            }
            List<String> arrived = sink.messages("END-OF-CONSOLE-MESSAGE");
            assertEquals(1, arrived.size(), "the released message at the sink");
            assertTrue(arrived.get(0).contains("SPAM-MARKER deals") && arrived.get(0).contains("held-1@console.test"), arrived.get(0));
            new Select(b.driver.findElement(By.cssSelector("#quarantine-search select[name=state]"))).selectByValue("released");
            b.driver.findElement(By.cssSelector("#quarantine-search button[type=submit]")).click();
            assertTrue(b.awaitText(By.id("quarantine-results"), "bob@example.test — released (admin)").contains("promo@shop.test"));
        }
    }

    @Test
    @Order(7)
    void aBackupIsCreatedWithItsProgressAndVerifiedInTheBrowser() throws Exception {
        try (Browser b = new Browser(dist.httpsPort, "en")) {
            b.loginTo("admin", password, "backups");
            b.await(By.cssSelector("#backups-create input[name=passphrase]")).sendKeys("console backup passphrase 12");
            b.driver.findElement(By.cssSelector("#backups-create button[type=submit]")).click();
            String done = b.awaitText(By.id("backups-progress"), "Backup finished: ");
            String name = done.substring(done.indexOf("Backup finished: ") + "Backup finished: ".length()).strip();
            b.awaitText(By.id("backups-results"), name);
            assertTrue(dist.ssh(password, "backup:list").contains(name), "the shell lists the browser's backup");
            b.driver.findElement(By.cssSelector("#backups-create input[name=passphrase]")).sendKeys("console backup passphrase 12");
            b.driver.findElement(By.cssSelector("#backups-results tr[data-backup='" + name + "'] button")).click();
            b.awaitText(By.id("backups-progress"), "Verification finished: " + name);
            // a wrong passphrase: the verification fails with one line naming why
            b.driver.findElement(By.cssSelector("#backups-create input[name=passphrase]")).sendKeys("not the passphrase at all");
            b.driver.findElement(By.cssSelector("#backups-results tr[data-backup='" + name + "'] button")).click();
            String failed = b.awaitText(By.id("backups-progress"), "Verification failed: ");
            assertFalse(failed.contains("Exception") || failed.contains("\n\tat "), failed);
            b.screenshot(SHOTS.resolve("en-backups-verified.png"));
            // downloaded as it is on the appliance, then deleted
            By row = By.cssSelector("#backups-results tr[data-backup='" + name + "']");
            b.driver.findElement(By.cssSelector("#backups-results tr[data-backup='" + name + "'] button.download")).click();
            byte[] copy = b.awaitDownload(name);
            assertTrue(java.util.Arrays.equals(Files.readAllBytes(dist.home.resolve("data/portcullis/backups").resolve(name)), copy),
                    "the downloaded backup is the appliance's file");
            b.driver.findElement(By.cssSelector("#backups-results tr[data-backup='" + name + "'] button.delete")).click();
            b.until(d -> d.switchTo().alert()).accept();
            b.awaitText(By.id("notice"), "Deleted: " + name);
            b.until(d -> d.findElements(row).isEmpty());
            assertFalse(dist.ssh(password, "backup:list").contains(name), "the shell no longer lists it");
        }
    }

    @Test
    @Order(8)
    void aLoginHeldBackShowsItsWaitAndTheButtonWaits() throws Exception {
        HttpResponse<String> created = api.call("POST", "/auth/users", ApiClient.basic("admin", password),
                "{\"name\": \"guesser\", \"role\": \"user\", \"scopes\": [\"g@example.test\"], \"password\": \"quiet-orchard-44-lamp\"}");
        assertEquals(201, created.statusCode(), created.body());
        try (Browser b = new Browser(dist.httpsPort, "en")) {
            b.open("/console/");
            List<String> said = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                b.await(By.cssSelector("#login button[type=submit]"));
                b.until(d -> d.findElement(By.cssSelector("#login button[type=submit]")).isEnabled());
                b.fillLogin("guesser", "wrong-guess-" + i);
                String status = b.until(d -> {
                    String s = d.findElement(By.id("login-status")).getText();
                    return s.isEmpty() ? null : s;
                });
                said.add(status);
                if (status.contains("try again in")) {
                    assertFalse(b.driver.findElement(By.cssSelector("#login button[type=submit]")).isEnabled(),
                            "the button waits with the account");
                    b.screenshot(SHOTS.resolve("en-login-held.png"));
                    return;
                }
            }
            throw new AssertionError("never held back: " + said);
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return api.http.send(HttpRequest.newBuilder(URI.create(api.base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
