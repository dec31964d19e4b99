package org.portcullis.milter.internal.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.portcullis.policy.Verdict;
import org.portcullis.scanner.ScanResult;

class MilterStatsTest {

    private static final Verdict DELIVER = new Verdict.Deliver(List.of());

    @Test
    void verdictsAreCountedByTheirKind() {
        MilterStats stats = new MilterStats();
        stats.message(DELIVER, 1_000_000);
        stats.message(DELIVER, 1_000_000);
        stats.message(new Verdict.Tag(List.of()), 1_000_000);
        stats.message(new Verdict.Quarantine(List.of(), "x"), 1_000_000);
        stats.message(new Verdict.Reject("550 5.7.1 virus"), 1_000_000);
        stats.message(new Verdict.Tempfail("451 4.7.1 later"), 1_000_000);
        stats.message(new Verdict.Discard("x"), 1_000_000);
        stats.maintenance();
        stats.error();
        assertEquals(7, stats.messages());
        assertEquals(2, stats.count("deliver"));
        for (String v : List.of("tag", "quarantine", "reject", "tempfail", "discard", "maintenance", "errors")) {
            assertEquals(1, stats.count(v), v);
        }
        assertEquals(MilterStats.VERDICTS.size(), Verdict.Kind.values().length + 2, "every kind is shown");
    }

    @Test
    void latencyPercentilesComeFromTheRecentMessages() {
        MilterStats stats = new MilterStats();
        assertEquals(0, stats.latencyMillis(50));
        for (int ms = 1; ms <= 100; ms++) {
            stats.message(DELIVER, ms * 1_000_000L);
        }
        assertEquals(50.0, stats.latencyMillis(50));
        assertEquals(99.0, stats.latencyMillis(99));
        for (int i = 0; i < MilterStats.WINDOW; i++) {
            stats.message(DELIVER, 2_000_000L);
        }
        assertEquals(2.0, stats.latencyMillis(99), "old figures leave the window");
    }

    @Test
    void scannerHealthFollowsTheLastCallAndKeepsTheLastError() {
        MilterStats stats = new MilterStats();
        stats.outcome(new ScannerOutcome("clamav", ScanResult.failed("clamd at 127.0.0.1:3310: cannot connect"), Duration.ZERO));
        MilterStats.ScannerStats s = stats.scanners().get("clamav");
        assertEquals("failing", s.health());
        assertTrue(s.lastError().endsWith("clamd at 127.0.0.1:3310: cannot connect"), s.lastError());
        stats.outcome(new ScannerOutcome("clamav", ScanResult.clean(), Duration.ZERO));
        assertEquals("ok", s.health());
        assertEquals(2, s.calls());
        assertEquals(1, s.failures());
        assertTrue(s.lastError().contains("cannot connect"), "the last error stays visible after recovery");
    }
}
