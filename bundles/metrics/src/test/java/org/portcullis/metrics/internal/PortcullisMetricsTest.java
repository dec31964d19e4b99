package org.portcullis.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.portcullis.policy.MessageRecord;
import org.portcullis.policy.Verdict;
import org.portcullis.storage.StorageStatus;

/** What Prometheus gets: counts from the mail-log records, gauges read at scrape time, a format promtool accepts. */
class PortcullisMetricsTest {

    @TempDir
    Path dir;

    private static MessageRecord record(String stage, Verdict.Kind verdict, List<String> scanners, String list, long ms) {
        return new MessageRecord(Instant.now(), "Q", stage, "mx", "192.0.2.7", "a@b.example", List.of("c@d.example"), 100, "", list,
                scanners, "", "", verdict, "accept", ms);
    }

    private PortcullisMetrics metrics() throws Exception {
        Files.createDirectories(dir.resolve("spool"));
        Files.write(dir.resolve("spool/portcullis-1.spool"), new byte[3000]);
        Files.createDirectories(dir.resolve("backups"));
        Files.write(dir.resolve("backups/a.pcbk"), new byte[1]);
        StorageStatus storage = new StorageStatus("jdbc:postgresql://127.0.0.1/x", true, true, "17", "", Instant.now(),
                new StorageStatus.Pool(2, 3, 5, 0, 10), List.of());
        return new PortcullisMetrics(new PortcullisMetrics.Sources(() -> 1, () -> storage, () -> 7, () -> dir.resolve("spool"),
                () -> dir.resolve("backups")));
    }

    @Test
    void recordsAreCountedByVerdictStageScannerAndList() throws Exception {
        PortcullisMetrics m = metrics();
        m.record(record("end", Verdict.Kind.DELIVER, List.of("clamav:clean:3ms"), "", 4));
        m.record(record("end", Verdict.Kind.DELIVER, List.of("clamav:clean:5ms"), "allow *.partner.example (global, #7)", 6));
        m.record(record("end", Verdict.Kind.REJECT, List.of("clamav:infected(Eicar):2ms"), "", 3));
        m.record(record("end", Verdict.Kind.TEMPFAIL, List.of("clamav:failed(clamd at 127.0.0.1:3310: cannot connect):1ms"), "", 2));
        m.record(record("rcpt", Verdict.Kind.REJECT, List.of(), "block x@spam.example (global, #3)", 0));
        String text = new String(m.scrape(), StandardCharsets.UTF_8);
        assertTrue(text.contains("portcullis_messages_total{stage=\"end\",verdict=\"deliver\"} 2.0"), text);
        assertTrue(text.contains("portcullis_messages_total{stage=\"end\",verdict=\"reject\"} 1.0"), text);
        assertTrue(text.contains("portcullis_messages_total{stage=\"rcpt\",verdict=\"reject\"} 1.0"), text);
        assertTrue(text.contains("portcullis_decision_seconds_count 4"), "only end-of-message decisions are timed: " + text);
        assertTrue(text.contains("portcullis_scanner_calls_total{result=\"clean\",scanner=\"clamav\"} 2.0"), text);
        assertTrue(text.contains("portcullis_scanner_calls_total{result=\"failed\",scanner=\"clamav\"} 1.0"), text);
        assertTrue(text.contains("portcullis_scanner_calls_total{result=\"infected\",scanner=\"clamav\"} 1.0"), text);
        assertTrue(text.contains("portcullis_scanner_seconds_count{scanner=\"clamav\"} 4"), text);
        assertTrue(text.contains("portcullis_list_decisions_total{list=\"allow\"} 1.0"), text);
        assertTrue(text.contains("portcullis_list_decisions_total{list=\"block\"} 1.0"), text);
        assertTrue(text.contains("portcullis_maintenance 1.0"), text);
        assertTrue(text.contains("portcullis_milter_connections 7.0"), text);

        assertTrue(text.contains("portcullis_spool_bytes 3000.0"), text);
        assertTrue(text.contains("portcullis_storage_reachable 1.0"), text);
        assertTrue(text.contains("portcullis_storage_pool_connections{state=\"active\"} 2.0"), text);
        assertTrue(text.contains("portcullis_backup_newest_timestamp_seconds "), text);
        assertTrue(text.contains("jvm_memory_used_bytes{area=\"heap\"}"), "the JVM's own figures: " + text);
    }

    @Test
    void aGaugeAnotherBundleOffersIsShownWhileOfferedAndABadNameIsLeftOut() throws Exception {
        PortcullisMetrics m = metrics();
        org.portcullis.core.Gauge expiry = gauge("portcullis_certificate_not_after_timestamp_seconds", 1.8e9);
        m.offer(expiry);
        m.offer(gauge("certificate_days", 3)); // not portcullis_…
        m.offer(gauge("portcullis_certificate_not_after_timestamp_seconds", 1)); // taken
        String text = new String(m.scrape(), StandardCharsets.UTF_8);
        assertTrue(text.contains("portcullis_certificate_not_after_timestamp_seconds 1.8E9"), text);
        assertFalse(text.contains("certificate_days"), text);
        m.withdraw(expiry);
        assertFalse(new String(m.scrape(), StandardCharsets.UTF_8).contains("portcullis_certificate_not_after"), "withdrawn");
    }

    private static org.portcullis.core.Gauge gauge(String name, double value) {
        return new org.portcullis.core.Gauge() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String help() {
                return "test";
            }

            @Override
            public double value() {
                return value;
            }
        };
    }

    @Test
    void theStatusAtAGlanceCarriesTheSameCounts() throws Exception {
        PortcullisMetrics m = metrics();
        m.record(record("end", Verdict.Kind.DELIVER, List.of("clamav:clean:3ms"), "", 4));
        m.record(record("end", Verdict.Kind.DELIVER, List.of("clamav:clean:5ms"), "allow *.partner.example (global, #7)", 6));
        m.record(record("end", Verdict.Kind.REJECT, List.of("clamav:infected(Eicar):7ms"), "", 8));
        m.record(record("rcpt", Verdict.Kind.REJECT, List.of(), "block x@spam.example (global, #3)", 0));
        PortcullisMetrics.Status s = m.status();
        assertEquals(3, s.messages(), "end-of-message decisions");
        assertEquals(java.util.Map.of("deliver", 2L, "reject", 1L), s.verdicts());
        assertEquals(java.util.Map.of("rcpt:reject", 1L), s.refusedEarly());
        assertEquals(6.0, s.decisionMeanMillis(), 0.001);
        assertEquals(List.of(new PortcullisMetrics.ScannerStatus("clamav", 3, java.util.Map.of("clean", 2L, "infected", 1L), 5.0)),
                s.scanners());
        assertEquals(java.util.Map.of("allow", 1L, "block", 1L), s.lists());
        assertEquals(7, s.milterConnections());
        assertEquals(3000, s.spoolBytes());
        assertEquals(Boolean.TRUE, s.storageReachable());
        assertEquals(Boolean.TRUE, s.maintenance());
        assertTrue(Math.abs(s.newestBackupEpochSeconds() - Files.getLastModifiedTime(dir.resolve("backups/a.pcbk")).toMillis() / 1000.0) < 1);
    }

    @Test
    void promtoolAcceptsTheText() throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(promtool), "promtool (Debian's prometheus package) is not installed");
        PortcullisMetrics m = metrics();
        m.record(record("end", Verdict.Kind.TAG, List.of("spam:spam(5.5):40ms"), "", 41));
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(m.scrape());
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "promtool check metrics:\n" + out);
    }
}
