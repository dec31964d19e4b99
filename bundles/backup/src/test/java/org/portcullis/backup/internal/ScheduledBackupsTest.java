package org.portcullis.backup.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.portcullis.backup.BackupHeader;
import org.portcullis.backup.BackupInfo;

/** Retention: the newest scheduled backups stay, older or surplus ones go, hand-made ones always stay. */
class ScheduledBackupsTest {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    private static BackupInfo backup(String name, int daysAgo) {
        BackupHeader h = new BackupHeader("1.0.0", NOW.minus(Duration.ofDays(daysAgo)), "gw", "keyfile", 0, 0, 0, new byte[16], new byte[7],
                1 << 20, new byte[0]);
        return new BackupInfo(Path.of("/b", name), h, List.of(), -1, 10);
    }

    private final List<BackupInfo> newestFirst = List.of(backup("scheduled-5.pcbk", 0), backup("manual.pcbk", 1),
            backup("scheduled-4.pcbk", 1), backup("scheduled-3.pcbk", 2), backup("old-manual.pcbk", 30), backup("scheduled-2.pcbk", 9),
            backup("scheduled-1.pcbk", 10));

    @Test
    void keepsTheNewestByCount() {
        assertEquals(List.of(Path.of("/b/scheduled-2.pcbk"), Path.of("/b/scheduled-1.pcbk")),
                ScheduledBackups.expired(newestFirst, 3, Duration.ZERO, NOW));
    }

    @Test
    void dropsTheOldByAge() {
        assertEquals(List.of(Path.of("/b/scheduled-3.pcbk"), Path.of("/b/scheduled-2.pcbk"), Path.of("/b/scheduled-1.pcbk")),
                ScheduledBackups.expired(newestFirst, 0, Duration.ofDays(1), NOW));
    }

    @Test
    void bothRulesAndNoneKeepHandMadeBackups() {
        assertEquals(List.of(Path.of("/b/scheduled-4.pcbk"), Path.of("/b/scheduled-3.pcbk"), Path.of("/b/scheduled-2.pcbk"),
                Path.of("/b/scheduled-1.pcbk")), ScheduledBackups.expired(newestFirst, 1, Duration.ofDays(5), NOW));
        assertEquals(List.of(), ScheduledBackups.expired(newestFirst, 0, Duration.ZERO, NOW));
    }
}
