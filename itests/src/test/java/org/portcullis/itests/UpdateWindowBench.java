package org.portcullis.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

/**
 * A benchmark, not a test of the build (failsafe runs only {@code *IT}; {@code bench/update-window.sh}
 * runs this): how long mail is held off while an update is applied under load, and how long the
 * whole apply takes. The next version is built from this source (a changed bundle in every module,
 * a new migration, an OS step installing a .deb); each round starts a fresh appliance with a gateway
 * Postfix (the milter, stopped and started by the update through its commands) in front of
 * smtp-sink and a sending Postfix; mail goes sender → gateway → sink at a steady pace while a
 * probe opens an SMTP session straight to the gateway every 100 ms. The window is from the
 * probe's first refusal (a 4xx, or no connection while Postfix is stopped) to its last.
 */
class UpdateWindowBench {

    private static final String VERSION = System.getProperty("portcullis.version");
    private static final String NEXT = "0.1.1";

    @Test
    void updateWindowUnderLoad() throws Exception {
        int rounds = Integer.getInteger("rounds", 3);
        Path parent = NextVersion.workspace("update-window-bench");
        Path next = NextVersion.copy(parent, NEXT).with(Map.of("bundles/lists/src/main/resources/db/migration/V2__update_marker.sql",
                "CREATE TABLE update_marker (note text NOT NULL);\n")).build();
        Path root = parent.resolve("dpkg-root");
        Path pkg = parent.resolve("portcullis-update-" + VERSION + "-" + NEXT + ".pcup");
        NextVersion.pack(parent, next, pkg, OsStepFixture.write(parent, root, NEXT));
        List<String> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            results.add(round(parent, round, pkg, root));
        }
        System.out.println("UPDATE-WINDOW " + VERSION + " -> " + NEXT + ", " + Runtime.getRuntime().availableProcessors() + " CPUs");
        results.forEach(r -> System.out.println("UPDATE-WINDOW " + r));
    }

    private String round(Path parent, int round, Path pkg, Path root) throws Exception {
        if (Files.exists(root)) {
            try (var all = Files.walk(root)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        OsStepFixture.root(root);
        try (SmtpSink sink = SmtpSink.start(); Distribution dist = Distribution.unpack(parent.resolve("round-" + round));
                PostfixInstance gateway = PostfixInstance.create("bench-gw-" + round, Distribution.freePort(), sink.port, "127.0.0.1:" + dist.milterPort);
                PostfixInstance sender = PostfixInstance.create("bench-tx-" + round, Distribution.freePort(), gateway.smtpPort, null)) {
            Files.copy(parent.resolve("keys/release.pub.pem"), dist.home.resolve("etc/portcullis-update-keys.pem"));
            OsStepFixture.configure(dist.home, root);
            gateway.controlledBy(dist.home, true);
            dist.start();
            gateway.start();
            sender.start();
            String password = dist.awaitFile(dist.home.resolve("data/portcullis/initial-admin-password")).strip();
            dist.awaitSsh(password, "lists:list", "");
            String probeFirst = SmtpClient.send(gateway.smtpPort, "probe@sender.test", "bob@example.test", "Subject: probe\r\n\r\nx\r\n");
            assertTrue(probeFirst.startsWith("250"), "mail flows before the update: " + probeFirst);

            MailLoad load = new MailLoad(sender.smtpPort, "bench", 50);
            List<long[]> refusals = new java.util.concurrent.CopyOnWriteArrayList<>(); // {nanos}
            AtomicBoolean stop = new AtomicBoolean();
            Thread probe = new Thread(() -> {
                while (!stop.get()) {
                    long t = System.nanoTime();
                    try {
                        String r = SmtpClient.send(gateway.smtpPort, "probe@sender.test", "bob@example.test", "Subject: probe\r\n\r\nx\r\n");
                        if (!r.startsWith("250")) {
                            refusals.add(new long[] {t});
                        }
                    } catch (java.io.IOException e) {
                        refusals.add(new long[] {t});
                    }
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            probe.setDaemon(true);
            probe.start();
            Thread.sleep(3000);
            long start = System.nanoTime();
            String out = dist.sshWaiting(password, "update:apply " + pkg, Duration.ofMinutes(8));
            long applied = System.nanoTime() - start;
            assertTrue(out.contains("006: OK"), out);
            Thread.sleep(5000);
            stop.set(true);
            probe.join();
            int sent = load.stop();
            List<String> wrong = load.awaitEachOnce(sink, sender, gateway);
            assertTrue(wrong.isEmpty(), "not exactly once: " + wrong);
            double window = refusals.isEmpty() ? 0 : (refusals.get(refusals.size() - 1)[0] - refusals.get(0)[0]) / 1e9 + 0.1;
            return String.format(java.util.Locale.ROOT, "round %d: apply %.1f s; mail refused for %.1f s (%d of the probe's sessions); %d messages"
                    + " through the sender, each delivered once", round, applied / 1e9, window, refusals.size(), sent);
        }
    }
}
