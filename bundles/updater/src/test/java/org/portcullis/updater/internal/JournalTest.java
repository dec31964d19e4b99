package org.portcullis.updater.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

    @TempDir
    Path dir;

    @Test
    void theJournalReadsBackAfterEveryStepAndCountsHowOftenAStepStarted() throws Exception {
        Path file = dir.resolve("journal.properties");
        Journal j = Journal.start(file, "id-1", dir.resolve("p.pcup"), "0.1.0", "0.2.0", "42@then");
        assertEquals(1, j.begin(Step.MAINTENANCE));
        j.set("maintenance.before", "off");
        j.save();
        Journal again = Journal.read(file).orElseThrow();
        assertEquals(Step.MAINTENANCE, again.step());
        assertEquals(2, again.begin(Step.MAINTENANCE), "a restarted step counts again: the loop guard reads this");
        assertEquals("off", again.get("maintenance.before"));
        assertEquals(Journal.State.RUNNING, again.state());
        assertEquals("42@then", again.owner());
        again.committed(true);
        again.save();
        assertTrue(Journal.read(file).orElseThrow().committed());
        assertTrue(Journal.read(dir.resolve("none")).isEmpty());
    }

    @Test
    void aJournalMissingAKeyIsRefusedByName() throws IOException {
        Path file = dir.resolve("journal.properties");
        Files.writeString(file, "id=1\nfrom=0.1.0\n");
        assertTrue(assertThrows(IOException.class, () -> Journal.read(file)).getMessage().contains("has no 'package'"));
    }

    @Test
    void theLogNamesWhatChangedBetweenTwoBundleLists() {
        assertEquals("3: core 0.1.0 -> 0.2.0, updater 0.2.0 (new), sandbox (removed)",
                Applier.changedBundles("core=0.1.0,lists=0.1.0,sandbox=0.1.0", "core=0.2.0,lists=0.1.0,updater=0.2.0"));
        assertEquals("none", Applier.changedBundles("core=0.1.0", "core=0.1.0"));
        assertEquals("0.1.0.SNAPSHOT", Applier.osgi("0.1.0-SNAPSHOT"));
        assertEquals("0.2.0", Applier.osgi("0.2.0"));
    }
}
