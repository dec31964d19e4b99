package org.portcullis.updater.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.portcullis.updater.internal.OsStep.State;
import org.portcullis.updater.internal.OsStep.Status;

/** Real detached processes (setsid): what a run's directory says after each way it can end. */
class OsStepTest {

    @TempDir
    Path dir;

    private final Services services = new Services(null, () -> true);

    private OsStep step() {
        return new OsStep(dir.resolve("runs"), OsStep.Launcher.DETACHED);
    }

    private static List<String> sh(String script) {
        return List.of("/bin/sh", "-c", script);
    }

    @Test
    void theProgramWaitsForItsGoThenItsExitStatusIsKept() throws Exception {
        OsStep os = step();
        Path marker = dir.resolve("ran");
        String id = os.launch("apply", dir, sh("echo out; echo $PORTCULLIS_TEST > '" + marker + "'"), Map.of("PORTCULLIS_TEST", "yes"), "u");
        long pid = Long.parseLong(id.split(" ")[0]);
        assertEquals(Status.RUNNING, os.state("apply", id).status(), "the wrapper waits");
        Thread.sleep(300);
        assertFalse(Files.exists(marker), "the program must not start before its go");
        assertTrue(ProcessHandle.of(pid).isPresent());
        assertFalse(ProcessHandle.current().children().anyMatch(p -> p.pid() == pid), "detached: not a child of this JVM");
        os.go("apply");
        State s = os.await("apply", id, Duration.ofSeconds(20), services);
        assertEquals(Status.SUCCEEDED, s.status(), s.describe());
        assertEquals("yes\n", Files.readString(marker), "the environment reaches the program");
        assertEquals(List.of("out"), os.output("apply", 20));
    }

    @Test
    void aFailingProgramKeepsItsExitStatus() throws Exception {
        OsStep os = step();
        String id = os.launch("apply", dir, sh("echo broken >&2; exit 3"), Map.of(), "u");
        os.go("apply");
        State s = os.await("apply", id, Duration.ofSeconds(20), services);
        assertEquals(Status.FAILED, s.status());
        assertEquals(3, s.exit());
        assertEquals("failed, exit 3", s.describe());
        assertEquals(List.of("broken"), os.output("apply", 20));
    }

    @Test
    void aCancelledRunNeverStartsItsProgram() throws Exception {
        OsStep os = step();
        Path marker = dir.resolve("ran");
        String id = os.launch("apply", dir, sh("touch '" + marker + "'"), Map.of(), "u");
        os.cancel("apply");
        State s = os.await("apply", id, Duration.ofSeconds(20), services);
        assertEquals(Status.NOT_STARTED, s.status());
        assertFalse(Files.exists(marker));
        assertEquals(Status.NOT_STARTED, os.state("other", "").status(), "nothing launched: not started");
    }

    @Test
    void aKilledProcessGroupIsCutOffAndAnOverrunIsKilled() throws Exception {
        OsStep os = step();
        String id = os.launch("apply", dir, sh("sleep 60"), Map.of(), "u");
        os.go("apply");
        Thread.sleep(200);
        State running = os.await("apply", id, Duration.ofMillis(300), services);
        assertEquals(Status.RUNNING, running.status(), "overran the wait");
        os.kill("apply", id); // the whole group: the wrapper and its sleep, as a power loss would
        State s = os.await("apply", id, Duration.ofSeconds(20), services);
        assertEquals(Status.CUT_OFF, s.status(), s.describe());
        assertFalse(Files.exists(os.dir("apply").resolve("status")));
    }

    @Test
    void aPidTakenByAnotherProcessIsNotTheRun() {
        long self = ProcessHandle.current().pid();
        long start = OsStep.startTime(self).orElseThrow();
        assertTrue(OsStep.alive(self, start));
        assertFalse(OsStep.alive(self, start + 1), "same pid, another start time: a new process");
    }

    @Test
    void underSystemdTheRunIsATransientUnitWithItsEnvironment() {
        List<String> argv = OsStep.argv(OsStep.Launcher.SYSTEMD, "portcullis-update-42-apply", Path.of("/d/apply"), Path.of("/d/files"),
                Path.of("/d/apply/wrapper.sh"), List.of("/d/files/apply"), Map.of("PORTCULLIS_UPDATE_TO", "0.2.0"));
        assertEquals(List.of("systemd-run", "--unit=portcullis-update-42-apply", "--collect", "--quiet", "--no-block", "--working-directory=/d/files",
                "--setenv=PORTCULLIS_UPDATE_TO=0.2.0", "/bin/sh", "/d/apply/wrapper.sh", "/d/apply", "/d/files/apply"), argv);
        assertEquals(List.of("setsid", "-f", "/bin/sh", "/d/apply/wrapper.sh", "/d/apply", "/d/files/apply"), OsStep.argv(OsStep.Launcher.DETACHED,
                "u", Path.of("/d/apply"), Path.of("/d/files"), Path.of("/d/apply/wrapper.sh"), List.of("/d/files/apply"), Map.of()));
        assertEquals(List.of("dpkg", "--configure", "-a"), OsStep.words("  dpkg  --configure -a "));
        assertEquals(List.of(), OsStep.words(" "));
    }
}
