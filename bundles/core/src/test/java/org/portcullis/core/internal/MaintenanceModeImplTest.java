package org.portcullis.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.portcullis.core.MaintenanceState;

class MaintenanceModeImplTest {

    @TempDir
    Path dir;

    private final Clock t0 = Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC);
    private final Clock t1 = Clock.fixed(Instant.parse("2026-11-28T11:00:00Z"), ZoneOffset.UTC);

    private MaintenanceModeImpl open(Clock clock) {
        MaintenanceModeImpl mode = new MaintenanceModeImpl(clock);
        mode.open(new MaintenanceStore(dir.resolve("state/maintenance.properties")));
        return mode;
    }

    @Test
    void isOffOnAFreshNode() {
        MaintenanceModeImpl mode = open(t0);
        assertFalse(mode.isActive());
        assertEquals(MaintenanceState.OFF, mode.state());
    }

    @Test
    void stateSurvivesARestart() throws IOException {
        open(t0).enable("patching the OS", "admin");

        MaintenanceModeImpl restarted = open(t1);
        assertTrue(restarted.isActive());
        assertEquals(new MaintenanceState(true, "patching the OS", t0.instant(), "admin"), restarted.state());

        restarted.disable();
        assertFalse(open(t1).isActive(), "switched off before the second restart");
    }

    @Test
    void enablingAgainKeepsTheStartTimeAndUpdatesTheReason() throws IOException {
        open(t0).enable("first", "admin");
        MaintenanceState s = open(t1).enable("second", "updater");
        assertEquals(t0.instant(), s.since());
        assertEquals("second", s.reason());
        assertEquals("updater", s.by());
    }

    @Test
    void unreadableStateFailsSafeIntoMaintenanceAndCanBeCleared() throws IOException {
        Path file = dir.resolve("state/maintenance.properties");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "active=perhaps\n");
        MaintenanceModeImpl mode = open(t0);
        assertTrue(mode.isActive(), "a state we cannot read must not let mail through half-configured");
        assertTrue(mode.state().reason().contains("'active' must be true or false"), mode.state().reason());

        mode.disable();
        assertFalse(open(t0).isActive());
    }

    @Test
    void badTimestampIsReportedAsCorrupt() throws IOException {
        Path file = dir.resolve("state/maintenance.properties");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "active=true\nsince=yesterday\n");
        MaintenanceStore store = new MaintenanceStore(file);
        IOException e = assertThrows(IOException.class, store::load);
        assertTrue(e.getMessage().contains("since"), e.getMessage());
    }

    @Test
    void failedWriteLeavesTheModeUnchanged() throws IOException {
        // A directory squatting on the temporary file's name makes the write fail (root ignores permissions).
        Files.createDirectories(dir.resolve("state/maintenance.properties.tmp"));
        MaintenanceModeImpl mode = open(t0);
        assertThrows(IOException.class, () -> mode.enable("x", "admin"));
        assertFalse(mode.isActive());
        assertFalse(open(t0).isActive());
    }

    @Test
    void writesLeaveNoTemporaryFileBehind() throws IOException {
        open(t0).enable("r", "admin");
        try (var files = Files.list(dir.resolve("state"))) {
            assertEquals(1, files.count());
        }
    }
}
