package org.portcullis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.portcullis.sandbox.internal.TestOffice;
import org.portcullis.sandbox.internal.TestPdfs;
import org.portcullis.scanner.clamav.internal.ClamdProcess;

/**
 * Mail through the real thing: a sending Postfix → the gateway Postfix → the Portcullis
 * distribution's milter → a real clamd → smtp-sink, all on loopback, all from Debian packages,
 * each started by this test with its own directories. Every message sent and accepted is counted
 * at the sink; the last test checks that exactly those arrived, once each.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MailFlowIT {

    private static final String END = "END-OF-PORTCULLIS-TEST-MESSAGE";
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(90);

    private Path work;
    private ClamdProcess clamd;
    private int clamdPort;
    private SmtpSink sink;
    private Distribution dist;
    private String password;
    private PostfixInstance gateway;
    private PostfixInstance sender;
    /** Message-IDs that were accepted and so must reach the sink, once each. */
    private final Set<String> expected = ConcurrentHashMap.newKeySet();
    /** Those of them that were held in the quarantine and released (their mail-log verdict is quarantine). */
    private final Set<String> released = ConcurrentHashMap.newKeySet();
    private int reinjectPort;
    private int slowReinjectPort;

    @BeforeAll
    void startEverything() throws Exception {
        work = Paths.get("target", "mail-flow-it", Long.toString(System.nanoTime())).toAbsolutePath();
        Files.createDirectories(work);
        clamd = ClamdProcess.start(work.resolve("clamd"));
        clamdPort = clamd.port;
        sink = SmtpSink.start();

        dist = Distribution.unpack(work.resolve("dist"));
        Files.writeString(dist.home.resolve("etc/org.portcullis.scanner.clamav.cfg"), String.join("\n",
                "address = " + clamd.tcp(), "timeout.seconds = 10", "stream.max.bytes = " + ClamdProcess.STREAM_MAX,
                "max.connections = 4", ""));
        // released mail goes back in through the gateway's re-injection listener (with the milter, which lets a
        // released copy pass once); a slow one lets a test stop the node while a release waits for its answer
        reinjectPort = Distribution.freePort();
        slowReinjectPort = Distribution.freePort();
        Files.writeString(dist.home.resolve("etc/org.portcullis.quarantine.cfg"), "reinject.host = 127.0.0.1\nreinject.port = " + reinjectPort
                + "\nreinject.timeout.seconds = 30\n");
        dist.start();
        password = dist.awaitFile(dist.home.resolve("data/portcullis/initial-admin-password")).strip();
        String installed = dist.ssh(password, "feature:install portcullis-scanner-clamav");
        assertFalse(installed.toLowerCase().contains("error"), installed);
        dist.awaitSsh(password, "service:list org.portcullis.scanner.MessageScanner", "ClamavScanner");

        gateway = PostfixInstance.create("gateway", Distribution.freePort(), sink.port, "127.0.0.1:" + dist.milterPort, reinjectPort,
                slowReinjectPort);
        gateway.start();
        sender = PostfixInstance.create("sender", Distribution.freePort(), gateway.smtpPort, null);
        sender.start();
    }

    @AfterAll
    void stopEverything() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {sender, gateway, sink, dist, clamd}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("MailFlowIT: closing " + c + ": " + e);
                }
            }
        }
    }

    @Test
    @Order(1)
    void cleanMailIsDeliveredWithOurHeaders() throws Exception {
        String reply = SmtpClient.send(gateway.smtpPort, "alice@sender.test", "bob@example.test", message("clean-1", "Lunch at noon?"));
        assertTrue(reply.startsWith("250"), reply);
        expected.add("clean-1");
        String delivered = awaitDelivered("clean-1");
        assertTrue(delivered.contains("X-Portcullis-Verdict: clean"), delivered);
        assertTrue(delivered.contains("X-Portcullis-Scanners: clamav=clean"), delivered);
        String line = awaitMailLog("msgid=<clean-1@portcullis.test>");
        assertTrue(line.matches("\\S+ [0-9A-F]+: stage=end client=unknown\\[127\\.0\\.0\\.1] from=alice@sender\\.test to=bob@example\\.test "
                + "size=\\d+ msgid=<clean-1@portcullis\\.test> scanners=clamav:clean:\\d+ms verdict=deliver reply=accept ms=\\d+"),
                "one mail log line, the queue id first:\n" + line);
    }

    @Test
    @Order(2)
    void eicarIsRejectedWith5xxAlsoInsideAZip() throws Exception {
        String plain = SmtpClient.send(gateway.smtpPort, "mallory@sender.test", "bob@example.test",
                message("eicar-1", new String(ClamdProcess.eicar(), StandardCharsets.US_ASCII)));
        assertTrue(plain.startsWith("550 5.7.1"), plain);
        assertTrue(plain.contains("Portcullis.Test.EICAR"), "the reply names the threat: " + plain);

        String zipped = SmtpClient.send(gateway.smtpPort, "mallory@sender.test", "bob@example.test", zipMessage("eicar-zip-1"));
        assertTrue(zipped.startsWith("550 5.7.1"), zipped);
        String line = awaitMailLog("msgid=<eicar-1@portcullis.test>");
        assertTrue(line.contains(" scanners=clamav:infected(Portcullis.Test.EICAR") && line.contains(" verdict=reject reply=\"550 5.7.1 "),
                line);
    }

    @Test
    @Order(3)
    void withClamdStoppedMailIsQueuedAndDeliveredWhenItIsBack() throws Exception {
        clamd.close();
        String direct = SmtpClient.send(gateway.smtpPort, "alice@sender.test", "bob@example.test", message("down-direct", "text"));
        assertTrue(direct.startsWith("451 4.7.1"), direct);

        List<String> ids = List.of("down-1", "down-2", "down-3");
        for (String id : ids) {
            String reply = SmtpClient.send(sender.smtpPort, "alice@sender.test", "bob@example.test", message(id, "sent while clamd is down"));
            assertTrue(reply.startsWith("250"), "the sending MTA takes it: " + reply);
            expected.add(id);
        }
        // the sending MTA tried, got a 4xx from the gateway, and keeps the mail
        await(() -> sender.log().contains("451 4.7.1"), () -> "no 4xx in the sender's log:\n" + sender.log());
        assertEquals(3, sender.queued(), sender.log());
        assertTrue(deliveredIds().stream().noneMatch(ids::contains), "nothing passes unscanned");

        clamd = ClamdProcess.start(work.resolve("clamd"), clamdPort);
        sender.flush();
        for (String id : ids) {
            assertTrue(awaitDelivered(id).contains("X-Portcullis-Scanners: clamav=clean"));
        }
        await(() -> queuedIn(sender) == 0, () -> "the sender's queue did not empty:\n" + sender.log());
    }

    @Test
    @Order(4)
    void aScannerInstalledUpdatedAndRemovedWhileMailFlowsLosesNothing() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<String> replies = new CopyOnWriteArrayList<>();
        List<String> sent = new CopyOnWriteArrayList<>();
        Thread flow = new Thread(() -> {
            int n = 0;
            while (!stop.get() || n < 20) {
                String id = "flow-" + (++n);
                try {
                    String reply = SmtpClient.send(gateway.smtpPort, "alice@sender.test", "bob@example.test", message(id, "message " + n));
                    replies.add(id + " " + reply);
                    if (reply.startsWith("250")) {
                        sent.add(id);
                    }
                } catch (IOException e) {
                    replies.add(id + " failed: " + e);
                }
            }
        }, "mail-flow");
        flow.start();
        try {
            Thread.sleep(500);
            String jar = Paths.get(System.getProperty("portcullis.example.scanner")).toUri().toString();
            String install = dist.ssh(password, "bundle:install -s " + jar);
            Matcher id = Pattern.compile("Bundle ID: (\\d+)").matcher(install);
            assertTrue(id.find(), install);
            await(() -> deliveredMatching(m -> m.contains("attachment-type=clean")) > 0,
                    () -> "no message was scanned by the newly installed scanner");
            dist.ssh(password, "bundle:update " + id.group(1));
            Thread.sleep(1000);
            dist.ssh(password, "bundle:uninstall " + id.group(1));
            Thread.sleep(1000);
        } finally {
            stop.set(true);
            flow.join(TimeUnit.SECONDS.toMillis(120));
        }
        assertTrue(replies.stream().allMatch(r -> r.matches("flow-\\d+ 250 .*")), "every message was accepted at once: " + replies);
        expected.addAll(sent);
        for (String id : sent) {
            awaitDelivered(id);
        }
        String last = SmtpClient.send(gateway.smtpPort, "alice@sender.test", "bob@example.test", message("after-uninstall", "x"));
        assertTrue(last.startsWith("250"), last);
        expected.add("after-uninstall");
        String after = awaitDelivered("after-uninstall");
        assertTrue(Pattern.compile("(?m)^X-Portcullis-Scanners: clamav=clean\\s*$").matcher(after).find(),
                "a removed scanner is no longer used:\n" + after);
    }

    @Test
    @Order(5)
    void theListsDecideThroughPostfixAndAllowNeverSkipsVirusScanning() throws Exception {
        String added = dist.ssh(password, "lists:add --comment \"spam run\" block bad-sender@spam.example");
        assertTrue(added.matches("(?s)Added #\\d+: block bad-sender@spam\\.example \\(global, #\\d+\\).*"), added);
        assertTrue(dist.ssh(password, "lists:add allow *.partner.example").contains("Added #"));
        // the index follows within a second (LISTEN/NOTIFY); give the check a few tries
        String check = dist.awaitSsh(password, "lists:check --rcpt bob@example.test news@mail.partner.example", "Decides:");
        assertTrue(check.contains("allow *.partner.example (global"), check);

        String blocked = SmtpClient.send(gateway.smtpPort, "bad-sender@spam.example", "bob@example.test", message("blocked-1", "buy"));
        assertTrue(blocked.startsWith("550 5.7.1"), "a blocked sender is refused at RCPT: " + blocked);
        assertTrue(blocked.contains("Block list"), blocked);
        String refused = awaitMailLog("from=bad-sender@spam.example");
        assertTrue(refused.matches(".* NOQUEUE: stage=rcpt .* to=bob@example\\.test verdict=reject reply=\"550 5\\.7\\.1 .*Block list.*"), refused);

        String virus = SmtpClient.send(gateway.smtpPort, "news@mail.partner.example", "bob@example.test",
                message("allowed-virus", new String(ClamdProcess.eicar(), StandardCharsets.US_ASCII)));
        assertTrue(virus.startsWith("550 5.7.1"), "an Allow entry never skips virus scanning: " + virus);

        // within one scope the most specific pattern decides: a domain and its subdomains blocked, one host allowed
        assertTrue(dist.ssh(password, "lists:add block *.bulk.example").contains("Added #"));
        assertTrue(dist.ssh(password, "lists:add allow mx.bulk.example").contains("Added #"));
        String why = dist.awaitSsh(password, "lists:check --rcpt bob@example.test a@mx.bulk.example", "allow mx.bulk.example (global");
        assertTrue(Pattern.compile("Overrides: #\\d+ block \\*\\.bulk\\.example \\(global.*less specific than mx\\.bulk\\.example").matcher(why).find(), why);
        String relay = SmtpClient.send(gateway.smtpPort, "a@relay.bulk.example", "bob@example.test", message("bulk-relay", "hi"));
        assertTrue(relay.startsWith("550 5.7.1") && relay.contains("*.bulk.example"), "the rest of the domain stays blocked: " + relay);
        String host = SmtpClient.send(gateway.smtpPort, "a@mx.bulk.example", "bob@example.test", message("bulk-host", "hi"));
        assertTrue(host.startsWith("250"), "the allowed host gets through: " + host);
        expected.add("bulk-host");
        assertTrue(awaitDelivered("bulk-host").contains("X-Portcullis-List: allow mx.bulk.example"));

        // a spam scanner joins: spam-like mail from a sender not on a list is quarantined (stored in
        // PostgreSQL before Postfix is answered; Postfix discards its copy), from an allowed sender
        // it is delivered without that scanner
        Path spamBundle = work.resolve("marker-spam.jar");
        Files.write(spamBundle, TestBundle.markerSpamScanner());
        String installed = dist.ssh(password, "bundle:install -s " + spamBundle.toUri());
        Matcher bundleId = Pattern.compile("Bundle ID: (\\d+)").matcher(installed);
        assertTrue(bundleId.find(), installed);
        dist.awaitSsh(password, "service:list org.portcullis.scanner.MessageScanner", "marker-spam");
        String spam = SmtpClient.send(gateway.smtpPort, "promo@shop.example", "bob@example.test", message("spam-1", "SPAM-MARKER deals"));
        assertTrue(spam.startsWith("250"), "a held message is accepted: " + spam);
        String heldLine = awaitMailLog("msgid=<spam-1@portcullis.test>");
        Matcher heldAs = Pattern.compile(" verdict=quarantine reply=\"quarantine (\\d+): spam score ").matcher(heldLine);
        assertTrue(heldAs.find(), heldLine);
        String id = heldAs.group(1);
        assertEquals(0, gateway.held(), "the quarantine owns it, not Postfix's hold queue:\n" + gateway.log());
        String listed = dist.ssh(password, "quarantine:list --from promo@shop.example");
        assertTrue(listed.contains("bob@example.test (held)") && listed.contains("spam: spam score"), listed);

        // release: refused without the right, done once with it, and a second release sends nothing
        ApiClient api = new ApiClient(dist);
        String admin = ApiClient.basic("admin", password);
        assertEquals(201, api.call("POST", "/auth/users", admin, "{\"name\":\"bob\",\"role\":\"user\",\"scopes\":[\"bob@example.test\"],"
                + "\"password\":\"own-secret-word-for-mail-1\"}").statusCode());
        String bob = ApiClient.basic("bob", "own-secret-word-for-mail-1");
        HttpResponse<String> noRight = api.call("POST", "/quarantine/" + id + "/release", bob, "{}");
        assertEquals(403, noRight.statusCode(), noRight.body());
        assertTrue(noRight.body().contains("needs the right 'quarantine-release'"), noRight.body());
        assertEquals(200, api.call("POST", "/auth/users/bob/rights/quarantine-release", admin, null).statusCode());
        HttpResponse<String> release = api.call("POST", "/quarantine/" + id + "/release", bob, "{}");
        assertEquals(200, release.statusCode(), release.body());
        assertEquals("bob@example.test", ApiClient.json(release).get("done").get(0).asText(), release.body());
        expected.add("spam-1");
        released.add("spam-1");
        assertTrue(awaitDelivered("spam-1").contains("X-Portcullis-Verdict: spam"), "released as held, with its verdict headers");
        HttpResponse<String> again = api.call("POST", "/quarantine/" + id + "/release", bob, "{}");
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(0, ApiClient.json(again).get("done").size(), again.body());
        String shown = dist.ssh(password, "quarantine:show " + id);
        assertTrue(shown.contains("Recipient:   bob@example.test released") && shown.contains(" by bob (250 "), shown);

        // the digest: bob's newly held spam, listed with a link that releases it once, through the API without an account
        String spam2 = SmtpClient.send(gateway.smtpPort, "promo@shop.example", "bob@example.test", message("spam-2", "SPAM-MARKER more deals"));
        assertTrue(spam2.startsWith("250"), spam2);
        assertTrue(awaitMailLog("msgid=<spam-2@portcullis.test>").contains(" verdict=quarantine "));
        assertTrue(dist.ssh(password, "quarantine:digest").contains("Sent 1 digest"));
        String[] digest = new String[1];
        await(() -> (digest[0] = sink.messages("Subject: Quarantine: ").stream().findFirst().orElse(null)) != null,
                () -> "no digest reached the sink; gateway log:\n" + gateway.log());
        assertTrue(digest[0].contains("Subject: Quarantine: 1 message held for you") && digest[0].contains("X-Rcpt-Args: <bob@example.test>")
                && digest[0].contains("  Subject: test spam-2\n"), digest[0]);
        Matcher link = Pattern.compile("/api/v1(/links/release/[A-Za-z0-9_.-]+)").matcher(digest[0]);
        assertTrue(link.find(), digest[0]);
        HttpResponse<String> page = api.call("GET", link.group(1), null, null);
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().contains("<form method=\"post\">") && page.body().contains("promo@shop.example"), page.body());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'none'"));
        assertEquals(0, deliveredMatching(m -> idOf(m).equals("spam-2")), "showing the link released nothing");
        HttpResponse<String> byLink = api.send("POST", link.group(1), null, HttpRequest.BodyPublishers.noBody(),
                "application/x-www-form-urlencoded");
        assertEquals(200, byLink.statusCode(), byLink.body());
        assertTrue(byLink.body().contains("Released for bob@example.test"), byLink.body());
        expected.add("spam-2");
        released.add("spam-2");
        awaitDelivered("spam-2");
        HttpResponse<String> twice = api.send("POST", link.group(1), null, HttpRequest.BodyPublishers.noBody(),
                "application/x-www-form-urlencoded");
        assertEquals(410, twice.statusCode(), twice.body());
        assertTrue(twice.body().contains("this release link was used already"), twice.body());
        String token = link.group(1);
        HttpResponse<String> forged = api.call("POST", token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BB" : "AA"), null, "{}");
        assertEquals(403, forged.statusCode(), forged.body());
        assertEquals(401, api.call("GET", "/quarantine", null, null).statusCode(), "only links/ is open without an account");

        // the released copy carried a signed header through the re-injection listener's milter: spam again, but delivered
        // once rather than held a second time, and the header removed (a replayed header: PipelineFilterTest, QuarantineServiceTest)
        String releasedCopy = awaitDelivered("spam-2");
        assertTrue(releasedCopy.contains("X-Portcullis-Verdict: spam") && !releasedCopy.contains("X-Portcullis-Release"), releasedCopy);
        assertTrue(Files.readAllLines(dist.home.resolve("data/log/mail.log")).stream()
                .anyMatch(l -> l.contains("msgid=<spam-2@portcullis.test>") && l.contains(" verdict=deliver ")), "the copy passed the milter");

        String clean = SmtpClient.send(gateway.smtpPort, "news@mail.partner.example", "bob@example.test",
                message("allowed-1", "news, SPAM-MARKER deals inside"));
        assertTrue(clean.startsWith("250"), clean);
        expected.add("allowed-1");
        String delivered = awaitDelivered("allowed-1");
        dist.ssh(password, "bundle:uninstall " + bundleId.group(1));
        assertTrue(Pattern.compile("(?m)^X-Portcullis-List: allow \\*\\.partner\\.example \\(global, #\\d+\\)").matcher(delivered).find(),
                "the verdict headers name the entry:\n" + delivered);
        assertTrue(delivered.contains("X-Portcullis-Scanners: clamav=clean"), "virus scanning ran:\n" + delivered);
    }

    @Test
    @Order(6)
    void theSandboxHoldsRiskyAttachmentsAnalysesThemInParallelAndReleasesOrKeeps() throws Exception {
        String installed = dist.ssh(password, "feature:install portcullis-sandbox");
        assertFalse(installed.toLowerCase().contains("error"), installed);
        dist.awaitSsh(password, "service:list org.portcullis.scanner.PartScanner", "Portcullis sandbox");
        Path analyzer = work.resolve("slow-analyzer.jar");
        Class<?> type = org.portcullis.itests.fixture.SlowAnalyzer.class;
        Files.write(analyzer, TestBundle.of("org.portcullis.itests.slow-analyzer", "1.0.0",
                "org.portcullis.sandbox;version=\"[1.0,2)\",org.portcullis.scanner;version=\"[1.1,2)\"").withClass(type)
                .withComponent("slow-analyzer", "", "<implementation class=\"" + type.getName() + "\"/>"
                        + "<service><provide interface=\"org.portcullis.sandbox.SandboxAnalyzer\"/></service>").build());
        String bundle = dist.ssh(password, "bundle:install -s " + analyzer.toUri());
        Matcher bundleId = Pattern.compile("Bundle ID: (\\d+)").matcher(bundle);
        assertTrue(bundleId.find(), bundle);
        dist.awaitSsh(password, "service:list org.portcullis.sandbox.SandboxAnalyzer", "slow-analyzer");

        // five PDFs, each taking the slow analyser a second: held, analysed at once, then delivered
        List<String[]> pdfs = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            pdfs.add(new String[] {"slow-" + i + ".pdf", TestPdfs.plain("page " + i)});
        }
        String reply = SmtpClient.send(gateway.smtpPort, "alice@sender.test", "bob@example.test", attachments("sandbox-clean", pdfs));
        assertTrue(reply.startsWith("250"), reply);
        String held = awaitMailLog("msgid=<sandbox-clean@portcullis.test>");
        assertTrue(held.contains(" verdict=quarantine reply=\"quarantine ") && held.contains("sandbox: slow-"), held);
        expected.add("sandbox-clean");
        released.add("sandbox-clean");
        assertTrue(awaitDelivered("sandbox-clean").contains("slow-5.pdf"));
        String done = awaitMailLog("msgid=<sandbox-clean@portcullis.test> verdict=deliver");
        Matcher ms = Pattern.compile("msgid=<sandbox-clean@portcullis\\.test> verdict=deliver reply=\"released: every attachment analysed "
                + "clean \\((\\d+) analyses\\)\" ms=(\\d+)").matcher(done);
        assertTrue(ms.find(), done);
        long millis = Long.parseLong(ms.group(2));
        System.out.println("MailFlowIT: the sandbox analysed 5 attachments taking 1 s each in " + millis + " ms (" + ms.group(1) + " analyses)");
        assertTrue(millis >= 1000 && millis < 2000, "five 1 s analyses in parallel took " + millis + " ms");

        // an analysis that fails five times: the message is released unanalysed, with its mail-log line, never stuck
        dist.ssh(password, "config:property-set -p org.portcullis.sandbox retry.seconds 1");
        dist.ssh(password, "config:property-set -p org.portcullis.sandbox poll.seconds 1");
        Thread.sleep(2000); // the sandbox restarts with its new configuration
        String broken = SmtpClient.send(gateway.smtpPort, "alice@sender.test", "bob@example.test",
                attachments("sandbox-broken", List.<String[]>of(new String[] {"broken-1.pdf", TestPdfs.plain("broken")})));
        assertTrue(broken.startsWith("250"), broken);
        expected.add("sandbox-broken");
        released.add("sandbox-broken");
        String unanalysed = awaitMailLog("msgid=<sandbox-broken@portcullis.test> verdict=deliver");
        assertTrue(unanalysed.contains("reply=\"released unanalysed after 5 failed analyses: ") && unanalysed.contains("engine crashed"),
                unanalysed);
        awaitDelivered("sandbox-broken");
        assertTrue(dist.ssh(password, "sandbox:list --state released-unanalysed").contains("released-unanalysed"));

        // a program in disguise stays held, with the finding
        String program = SmtpClient.send(gateway.smtpPort, "mallory@sender.test", "bob@example.test",
                attachments("sandbox-bad", List.<String[]>of(new String[] {"invoice.pdf", "MZ\u0090\u0000\u0003 This program cannot be run in DOS mode"})));
        assertTrue(program.startsWith("250"), program);
        String kept = dist.awaitSsh(password, "sandbox:list --state malicious", "executable in disguise");
        assertTrue(kept.contains("type: invoice.pdf: executable in disguise"), kept);
        String listed = dist.ssh(password, "quarantine:list --reason sandbox --state held");
        assertTrue(listed.contains("mallory@sender.test") && listed.contains("bob@example.test (held)"), listed);
        Matcher badId = Pattern.compile(" reply=\"quarantine (\\d+): ").matcher(awaitMailLog("msgid=<sandbox-bad@portcullis.test>"));
        assertTrue(badId.find());
        String shown = dist.ssh(password, "sandbox:show " + badId.group(1));
        assertTrue(shown.contains("Analysis:    malicious, 0 failed") && shown.contains("Finding:     type: invoice.pdf: executable in disguise"),
                shown);
        assertTrue(dist.ssh(password, "sandbox:show 1").contains("is held for spam, not by the sandbox"), "message 1 is the spam one");
        // an admin who knows better releases it anyway: it arrives once
        String releasedByHand = dist.ssh(password, "sandbox:release " + badId.group(1));
        assertTrue(releasedByHand.startsWith("Released for bob@example.test (250 "), releasedByHand);
        expected.add("sandbox-bad");
        released.add("sandbox-bad");
        awaitDelivered("sandbox-bad");
        dist.ssh(password, "bundle:uninstall " + bundleId.group(1));
        dist.ssh(password, "feature:uninstall portcullis-sandbox");
    }

    /** A message with base64 attachments, each {name, content}. */
    private static String attachments(String id, List<String[]> files) {
        StringBuilder b = new StringBuilder("From: Alice <alice@sender.test>\r\nTo: bob@example.test\r\nSubject: test " + id + "\r\nMessage-ID: <"
                + id + "@portcullis.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n"
                + "Content-Type: text/plain\r\n\r\nfiles attached\r\n");
        for (String[] f : files) {
            b.append("--b1\r\nContent-Type: application/octet-stream; name=\"").append(f[0]).append("\"\r\nContent-Disposition: attachment; "
                    + "filename=\"").append(f[0]).append("\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
                    .append(Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(f[1].getBytes(StandardCharsets.ISO_8859_1))).append("\r\n");
        }
        return b.append("--b1--\r\n").append(END).append("\r\n").toString();
    }

    @Test
    @Order(7)
    void theSinkHasExactlyWhatWasAcceptedAndNothingIsLeftAnywhere() throws Exception {
        await(() -> deliveredIds().size() >= expected.size(), () -> "missing at the sink: " + missing());
        List<String> all = new ArrayList<>();
        for (String m : sink.messages(END)) {
            all.add(idOf(m));
        }
        assertEquals(new TreeSet<>(expected), new TreeSet<>(all), "the sink has exactly the accepted messages");
        assertEquals(expected.size(), all.size(), "no message arrived twice");
        assertEquals(0, queuedIn(gateway), gateway.log());
        assertEquals(0, queuedIn(sender), sender.log());
        Path spool = dist.home.resolve("data/portcullis/spool");
        try (Stream<Path> files = Files.exists(spool) ? Files.list(spool) : Stream.empty()) {
            assertEquals(List.of(), files.toList(), "no spool file outlives its message");
        }
        String status = dist.ssh(password, "milter:status");
        assertTrue(status.matches("(?s).*Verdicts .*\\breject 3\\b.*"), "three viruses rejected:\n" + status);
        // one mail log line per delivered message: each accepted Message-ID is logged delivered exactly once
        List<String> lines = Files.readAllLines(dist.home.resolve("data/log/mail.log"));
        for (String id : notReleased()) {
            long delivered = lines.stream().filter(l -> l.contains(" msgid=<" + id + "@portcullis.test> ") && l.contains(" verdict=deliver ")).count();
            assertEquals(1, delivered, id + " in the mail log:\n" + String.join("\n", lines));
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains(" scanners=\"clamav:failed(clamd at ") && l.contains(" verdict=tempfail ")),
                "the tempfails while clamd was down are logged too");

        // and kept in message tracking: the same records through mail:log and GET /api/v1/messages, scoped
        ApiClient api = new ApiClient(dist);
        String admin = ApiClient.basic("admin", password);
        for (String id : notReleased()) {
            await(() -> ApiClient.json(api.call("GET", "/messages?verdict=deliver&messageId=" + id + "@portcullis.test", admin, null)).size() == 1,
                    () -> id + " is not tracked once as delivered");
        }
        com.fasterxml.jackson.databind.JsonNode virus = ApiClient.json(api.call("GET", "/messages?messageId=eicar-1@portcullis.test", admin, null));
        assertEquals("reject", virus.get(0).get("verdict").asText(), virus.toString());
        assertTrue(virus.get(0).get("scanners").get(0).asText().startsWith("clamav:infected(Portcullis.Test.EICAR"), virus.toString());
        String shell = dist.ssh(password, "mail:log --message-id eicar-1@portcullis.test");
        assertTrue(shell.contains("reject") && shell.contains("mallory@sender.test"), shell);
        assertTrue(dist.ssh(password, "mail:log --verdict nonsense").contains("verdict 'nonsense': one of deliver"), "a bad filter is named");
        // a domain-admin of another domain sees none of it; one of example.test sees the messages to bob
        assertEquals(201, api.call("POST", "/auth/users", admin, "{\"name\":\"other\",\"role\":\"domain-admin\",\"scopes\":[\"other.example\"],"
                + "\"password\":\"far-away-domain-secret-1\"}").statusCode());
        assertEquals(0, ApiClient.json(api.call("GET", "/messages", ApiClient.basic("other", "far-away-domain-secret-1"), null)).size());
        assertEquals(201, api.call("POST", "/auth/users", admin, "{\"name\":\"mine\",\"role\":\"domain-admin\",\"scopes\":[\"example.test\"],"
                + "\"password\":\"close-by-domain-secret-1\"}").statusCode());
        com.fasterxml.jackson.databind.JsonNode mine = ApiClient.json(api.call("GET", "/messages?limit=1000", ApiClient.basic("mine",
                "close-by-domain-secret-1"), null));
        assertTrue(mine.size() >= expected.size(), mine.size() + " records for example.test");
        assertEquals(400, api.call("GET", "/messages?since=yesterday", admin, null).statusCode());

        // Prometheus: the counters equal the mail log by verdict, checked by promtool and read back from a real server's query API
        assertEquals(201, api.call("POST", "/auth/users", admin, "{\"name\":\"prom\",\"role\":\"user\",\"scopes\":[\"prom@example.test\"],"
                + "\"password\":\"scrape-every-second-1\"}").statusCode());
        assertEquals(403, api.call("GET", "/metrics", ApiClient.basic("prom", "scrape-every-second-1"), null).statusCode(), "needs 'metrics'");
        assertEquals(200, api.call("POST", "/auth/users/prom/rights/metrics", admin, null).statusCode());
        HttpResponse<String> scraped = api.call("GET", "/metrics", ApiClient.basic("prom", "scrape-every-second-1"), null);
        assertEquals(200, scraped.statusCode(), scraped.body());
        String type = scraped.headers().firstValue("Content-Type").orElse("");
        assertTrue(type.startsWith("text/plain") && type.contains("version=0.0.4"), "Prometheus's text format: " + type);
        Process promtool = new ProcessBuilder("/usr/bin/promtool", "check", "metrics").redirectErrorStream(true).start();
        promtool.getOutputStream().write(scraped.body().getBytes(StandardCharsets.UTF_8));
        promtool.getOutputStream().close();
        String checked = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, promtool.waitFor(), "promtool check metrics:\n" + checked);
        List<String> log = Files.readAllLines(dist.home.resolve("data/log/mail.log"));
        try (PrometheusServer prometheus = PrometheusServer.scraping(dist, work.resolve("prometheus"), "prom", "scrape-every-second-1")) {
            for (String verdict : List.of("deliver", "reject", "tempfail", "quarantine")) {
                long logged = log.stream().filter(l -> l.contains(" stage=end ") && l.contains(" verdict=" + verdict + " ")).count();
                String promql = "sum(portcullis_messages_total{stage=\"end\",verdict=\"" + verdict + "\"})";
                await(() -> prometheus.query(promql) == logged, () -> {
                    try {
                        return promql + " is not " + logged + " (up " + prometheus.up() + ")";
                    } catch (Exception e) {
                        return e.toString();
                    }
                });
            }
            long refused = log.stream().filter(l -> l.contains(" stage=rcpt ") && l.contains(" verdict=reject ")).count();
            await(() -> prometheus.query("sum(portcullis_messages_total{stage=\"rcpt\",verdict=\"reject\"})") == refused,
                    () -> "refused recipients are not " + refused);

            // the same at a glance as JSON, for the same right
            com.fasterxml.jackson.databind.JsonNode glance = ApiClient.json(api.call("GET", "/system/status",
                    ApiClient.basic("prom", "scrape-every-second-1"), null));
            long ended = log.stream().filter(l -> l.contains(" stage=end ")).count();
            assertEquals(ended, glance.get("messages").asLong(), glance.toString());
            for (String verdict : List.of("deliver", "reject", "tempfail", "quarantine")) {
                long logged = log.stream().filter(l -> l.contains(" stage=end ") && l.contains(" verdict=" + verdict + " ")).count();
                assertEquals(logged, glance.get("verdicts").path(verdict).asLong(), verdict + ": " + glance);
            }
            assertEquals(refused, glance.get("refusedEarly").path("rcpt:reject").asLong(), glance.toString());
            long clamavCalls = 0;
            for (com.fasterxml.jackson.databind.JsonNode sc : glance.get("scanners")) {
                clamavCalls += sc.get("name").asText().equals("clamav") ? sc.get("calls").asLong() : 0;
            }
            assertEquals(log.stream().filter(l -> l.contains(" stage=end ") && l.contains("clamav:")).count(), clamavCalls, glance.toString());
            assertTrue(glance.get("storageReachable").asBoolean(), glance.toString());
            assertEquals(403, api.call("GET", "/system/status", ApiClient.basic("mine", "close-by-domain-secret-1"), null).statusCode(),
                    "needs 'metrics'");
            assertEquals(200, api.call("GET", "/system/version", admin, null).statusCode(), "the other /system paths still answer");
        }
    }

    @Test
    @Order(8)
    void postfixReachesTheMilterOverAUnixSocketToo() throws Exception {
        Path dir = Files.createTempDirectory("portcullis-milter");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path socket = dir.resolve("milter.sock");
        Path cfg = dist.home.resolve("etc/org.portcullis.milter.cfg");
        String tcp = Files.readString(cfg);
        Files.writeString(cfg, tcp + "socket = " + socket + "\nsocket.mode = 0666\n");
        dist.awaitSsh(password, "milter:status", "unix:" + socket);
        try (PostfixInstance unixGateway = PostfixInstance.create("gateway-unix", Distribution.freePort(), sink.port, "unix:" + socket)) {
            unixGateway.start();
            String reply = SmtpClient.send(unixGateway.smtpPort, "alice@sender.test", "bob@example.test", message("unix-clean-1", "hi"));
            assertTrue(reply.startsWith("250"), reply + "\n" + unixGateway.log());
            String delivered = awaitDelivered("unix-clean-1");
            assertTrue(delivered.contains("X-Portcullis-Verdict: clean"), delivered);
            String virus = SmtpClient.send(unixGateway.smtpPort, "mallory@sender.test", "bob@example.test",
                    message("unix-eicar-1", new String(ClamdProcess.eicar(), StandardCharsets.US_ASCII)));
            assertTrue(virus.startsWith("550 5.7.1"), virus);
        } finally {
            Files.writeString(cfg, tcp);
            dist.awaitSsh(password, "milter:status", "127.0.0.1:" + dist.milterPort);
            assertFalse(Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS), "the socket file went with the listener");
            Files.deleteIfExists(dir);
        }
    }

    @Test
    @Order(9)
    void aReleaseCutOffByAKilledNodeArrivesOnceAfterTheRestart() throws Exception {
        assertFalse(dist.ssh(password, "feature:install portcullis-sandbox").toLowerCase().contains("error"));
        dist.awaitSsh(password, "service:list org.portcullis.scanner.PartScanner", "Portcullis sandbox");
        // an Office document whose macro runs on opening and starts a program: kept by the macro analyser (Apache POI in the container)
        String dropper = new String(TestOffice.docm("Sub AutoOpen()\r\n  Shell \"cmd /c calc\"\r\nEnd Sub\r\n"),
                StandardCharsets.ISO_8859_1);
        String program = SmtpClient.send(gateway.smtpPort, "mallory@sender.test", "bob@example.test",
                attachments("sandbox-kill", List.<String[]>of(new String[] {"report.docm", dropper})));
        assertTrue(program.startsWith("250"), program);
        Matcher held = Pattern.compile(" reply=\"quarantine (\\d+): ").matcher(awaitMailLog("msgid=<sandbox-kill@portcullis.test>"));
        assertTrue(held.find());
        String id = held.group(1);
        String shown = dist.awaitSsh(password, "sandbox:show " + id, "Analysis:    malicious");
        assertTrue(shown.contains("macro: report.docm: Office macro that runs by itself (AutoOpen) and executes (Shell)"), shown);

        // the release's copy goes to the slow listener, which holds it 10 s after its data before it asks the milter:
        // the node (the milter's too) is killed in that wait
        dist.ssh(password, "config:property-set -p org.portcullis.quarantine reinject.port " + slowReinjectPort);
        Thread.sleep(3000); // the quarantine restarts with its new configuration
        String[] first = new String[1];
        Thread releasing = new Thread(() -> {
            try {
                first[0] = dist.sshOnce(password, "sandbox:release " + id);
            } catch (IOException e) {
                first[0] = "cut off: " + e;
            }
        });
        releasing.start();
        Thread.sleep(5000);
        dist.kill9();
        releasing.join(60_000);
        assertFalse(first[0] != null && first[0].startsWith("Released"), "the release was to be cut off: " + first[0]);
        Thread.sleep(TimeUnit.SECONDS.toMillis(PostfixInstance.SLOW_SECONDS));
        await(() -> queuedIn(gateway) == 0, () -> "the cut-off copy stayed in the gateway's queue:\n" + gateway.log());
        assertEquals(0, deliveredMatching(m -> idOf(m).equals("sandbox-kill")), "the listener had no milter to ask: nothing delivered");

        dist.start();
        dist.awaitSsh(password, "sandbox:show " + id, "Recipient:   bob@example.test held");
        dist.ssh(password, "config:property-set -p org.portcullis.quarantine reinject.port " + reinjectPort);
        Thread.sleep(2000); // the quarantine restarts with its new configuration
        // released again by a user who holds virus-release only (the release note's first fix), over the API
        ApiClient api = new ApiClient(dist);
        String admin = ApiClient.basic("admin", password);
        assertEquals(201, api.call("POST", "/auth/users", admin, "{\"name\":\"vera\",\"role\":\"user\",\"scopes\":[\"bob@example.test\"],"
                + "\"password\":\"release-officer-secret-9\"}").statusCode());
        assertEquals(200, api.call("POST", "/auth/users/vera/rights/virus-release", admin, null).statusCode());
        String vera = ApiClient.basic("vera", "release-officer-secret-9");
        HttpResponse<String> again = api.call("POST", "/quarantine/" + id + "/release", vera, "{}");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (again.statusCode() == 503 && System.nanoTime() < until) { // the node is still starting its parts
            Thread.sleep(1000);
            again = api.call("POST", "/quarantine/" + id + "/release", vera, "{}");
        }
        assertEquals(200, again.statusCode(), again.body());
        assertEquals("bob@example.test", ApiClient.json(again).get("done").get(0).asText(), again.body());
        awaitDelivered("sandbox-kill");
        HttpResponse<String> repeat = api.call("POST", "/quarantine/" + id + "/release", vera, "{}");
        assertEquals(0, ApiClient.json(repeat).get("done").size(), "a repeat sends nothing: " + repeat.body());
        Thread.sleep(3000);
        assertEquals(1, deliveredMatching(m -> idOf(m).equals("sandbox-kill")), "arrived once");
        dist.ssh(password, "feature:uninstall portcullis-sandbox");
    }

    /** The accepted messages that went straight through (not held and released). */
    private Set<String> notReleased() {
        Set<String> ids = new TreeSet<>(expected);
        ids.removeAll(released);
        return ids;
    }

    /** The fixture spam scanner as a bundle: its class, a component description, a manifest. */
    private static String message(String id, String body) {
        return "From: Alice <alice@sender.test>\r\nTo: bob@example.test\r\nSubject: test " + id + "\r\nMessage-ID: <" + id
                + "@portcullis.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + body + "\r\n" + END
                + "\r\n";
    }

    /** EICAR inside a zip, attached in base64: clamd must open the MIME part and then the archive. */
    private static String zipMessage(String id) throws IOException {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(zip)) {
            z.putNextEntry(new ZipEntry("readme.com"));
            z.write(ClamdProcess.eicar());
            z.closeEntry();
        }
        String b64 = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(zip.toByteArray());
        return "From: Mallory <mallory@sender.test>\r\nTo: bob@example.test\r\nSubject: invoice\r\nMessage-ID: <" + id
                + "@portcullis.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                + "--b1\r\nContent-Type: text/plain\r\n\r\nSee the attachment.\r\n"
                + "--b1\r\nContent-Type: application/zip; name=\"invoice.zip\"\r\nContent-Transfer-Encoding: base64\r\n"
                + "Content-Disposition: attachment; filename=\"invoice.zip\"\r\n\r\n" + b64 + "\r\n--b1--\r\n" + END + "\r\n";
    }

    private String awaitDelivered(String id) throws Exception {
        String[] found = new String[1];
        await(() -> {
            for (String m : sink.messages(END)) {
                if (id.equals(idOf(m))) {
                    found[0] = m;
                    return true;
                }
            }
            return false;
        }, () -> id + " never reached the sink; gateway log:\n" + gateway.log());
        return found[0];
    }

    private Set<String> deliveredIds() throws IOException {
        Set<String> ids = new TreeSet<>();
        for (String m : sink.messages(END)) {
            ids.add(idOf(m));
        }
        return ids;
    }

    private long deliveredMatching(Predicate<String> p) throws IOException {
        return sink.messages(END).stream().filter(p).count();
    }

    private String missing() {
        try {
            Set<String> m = new TreeSet<>(expected);
            m.removeAll(deliveredIds());
            return m.toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String idOf(String message) {
        Matcher m = Pattern.compile("(?m)^Message-ID: <([^@>]+)@portcullis.test>").matcher(message);
        return m.find() ? m.group(1) : "(no Message-ID)";
    }

    private static int queuedIn(PostfixInstance pf) {
        try {
            return pf.queued();
        } catch (IOException e) {
            return -1;
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    /** The mail log line containing {@code text}, once it is there. */
    private String awaitMailLog(String text) throws Exception {
        Path log = dist.home.resolve("data/log/mail.log");
        String[] found = {null};
        await(() -> {
            if (Files.exists(log)) {
                found[0] = Files.readAllLines(log).stream().filter(l -> l.contains(text)).findFirst().orElse(null);
            }
            return found[0] != null;
        }, () -> "no mail log line with " + text);
        return found[0];
    }

    private static void await(Check check, java.util.function.Supplier<String> failure) throws Exception {
        long end = System.nanoTime() + DEADLINE_NANOS;
        while (System.nanoTime() < end) {
            if (check.ok()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(failure.get());
    }
}
