package org.portcullis.updater.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.portcullis.updater.internal.OsStep.State;
import org.portcullis.updater.internal.OsStep.Status;
import org.portcullis.updater.internal.Services.UpdateFailure;
import org.portcullis.updater.pkg.UpdateManifest;
import org.portcullis.updater.pkg.UpdatePackage;

/**
 * The OS step of one update, kept in its journal: run forward (once: its identity is in the
 * journal before its program may start), and undone on a rollback — after waiting for a run
 * still going, running the recovery command first when the step failed or was cut off (for
 * {@code .deb} steps {@code dpkg --configure -a}), then the package's undo program.
 * Runs live in {@code data/portcullis/updates/os/<update id>/}: {@code files/} (the package's
 * {@code os/} files), and one directory per run (apply, recover-N, undo-N) with its output.
 */
final class OsRuns {

    /** From config PID org.portcullis.updater. */
    record Settings(Path base, OsStep.Launcher launcher, List<String> recover, Duration timeout) {
    }

    private static final String APPLY = "apply";

    private final Settings settings;
    private final Journal journal;
    private final UpdateLog log;
    private final Services services;
    private final Runnable save;
    private final OsStep step;

    OsRuns(Settings settings, Journal journal, UpdateLog log, Services services, Runnable save) {
        this.settings = settings;
        this.journal = journal;
        this.log = log;
        this.services = services;
        this.save = save;
        this.step = new OsStep(settings.base().resolve(journal.id()), settings.launcher());
    }

    void forward(UpdateManifest m, UpdatePackage pkg) {
        log.line(" * Installing patches");
        if (m.osStep().isEmpty()) {
            log.line("   no OS step in this update");
            return;
        }
        String identity = journal.get("os." + APPLY);
        if (identity.equals("launching")) {
            // this JVM was launching it when its component stopped: the rollback sorts it out
            throw new UpdateFailure("the start of the OS step was interrupted");
        }
        if (identity.isEmpty()) {
            Path files = files(m, pkg);
            identity = launch(APPLY, files, List.of(files.resolve(m.osStep().substring(3)).toString()));
            log.line("   OS step started: " + m.osStep() + " (" + how(identity) + "; output in " + step.dir(APPLY).resolve("output") + ")");
        }
        State s = await(APPLY, identity);
        output(APPLY);
        if (s.status() != Status.SUCCEEDED) {
            throw new UpdateFailure("the OS step " + m.osStep() + " " + s.describe());
        }
        log.line("   OS step finished: exit 0");
    }

    /** Undoes what the OS step did, if it may have done anything; said in the log. */
    void back(UpdateManifest m) {
        String identity = journal.get("os." + APPLY);
        if (identity.isEmpty() || journal.get("os.undone").equals("yes")) {
            return;
        }
        if (identity.equals("launching") || !step.given(APPLY)) {
            try {
                step.cancel(APPLY);
            } catch (IOException e) {
                throw new UpdateFailure("cannot cancel the OS step's start: " + e.getMessage(), e);
            }
            log.line(" * The OS step never started: nothing to undo");
            undone();
            return;
        }
        State s = await(APPLY, identity);
        // a recovery or undo started before the container restarted may still run: never two at once
        String last = journal.get("os.last");
        if (!last.isEmpty() && !last.equals(APPLY) && !journal.get("os." + last).equals("launching")) {
            await(last, journal.get("os." + last));
        }
        log.line(" * Undoing the OS step " + m.osStep() + ": it " + s.describe());
        String attempt = journal.get("rollback.attempts").isEmpty() ? "1" : journal.get("rollback.attempts");
        Path files = step.dir("files");
        if (s.status() == Status.FAILED || s.status() == Status.CUT_OFF) {
            if (settings.recover().isEmpty()) {
                log.line("   no recovery command configured (os.recover.command)");
            } else {
                State r = run("recover-" + attempt, files, settings.recover());
                log.line("   recovery " + String.join(" ", settings.recover()) + ": " + r.describe());
            }
        }
        if (m.osUndo().isEmpty()) {
            log.warn("   the package has no OS undo step: what " + m.osStep() + " changed stays on this machine");
        } else {
            State u = run("undo-" + attempt, files, List.of(files.resolve(m.osUndo().substring(3)).toString()));
            if (u.status() != Status.SUCCEEDED) {
                throw new UpdateFailure("the OS undo step " + m.osUndo() + " " + u.describe());
            }
            log.line("   OS undo step " + m.osUndo() + ": exit 0");
        }
        undone();
    }

    private void undone() {
        journal.set("os.undone", "yes");
        save.run();
    }

    /** Launches a run and waits for its end, with its output in the log. */
    private State run(String name, Path workDir, List<String> command) {
        String identity = launch(name, workDir, command);
        State s = await(name, identity);
        output(name);
        return s;
    }

    /** The identity goes into the journal before the program may start, so no restart runs it twice. */
    private String launch(String name, Path workDir, List<String> command) {
        journal.set("os.last", name);
        journal.set("os." + name, "launching");
        save.run();
        try {
            String identity = step.launch(name, workDir, command, Map.of("PORTCULLIS_UPDATE_FROM", journal.from(), "PORTCULLIS_UPDATE_TO",
                    journal.to(), "PORTCULLIS_OS_FILES", workDir.toString()), "portcullis-update-" + journal.id());
            journal.set("os." + name, identity);
            save.run();
            step.go(name);
            return identity;
        } catch (IOException e) {
            throw new UpdateFailure("cannot start " + command.get(0) + " outside the container: " + e.getMessage(), e);
        }
    }

    /** Waits for the run's end; one that overruns os.timeout.s is killed (and then counts as cut off). */
    private State await(String name, String identity) {
        State s = step.await(name, identity, settings.timeout(), services);
        if (s.status() == Status.RUNNING) {
            log.warn("   " + name + " ran longer than " + settings.timeout().toSeconds() + " s (os.timeout.s): killed");
            step.kill(name, identity);
            s = step.await(name, identity, Duration.ofSeconds(30), services);
        }
        return s;
    }

    private void output(String name) {
        for (String line : step.output(name, 20)) {
            log.line("   | " + line);
        }
    }

    /** The package's os/ files, verified, under files/; the programs made executable. */
    private Path files(UpdateManifest m, UpdatePackage pkg) {
        Path files = step.dir("files");
        try {
            for (UpdateManifest.FileEntry f : m.files()) {
                if (f.path().startsWith("os/")) {
                    Path target = files.resolve(f.path().substring(3));
                    pkg.extract(f.path(), target);
                    if (f.path().equals(m.osStep()) || f.path().equals(m.osUndo())) {
                        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-x---"));
                    }
                }
            }
        } catch (IOException e) {
            throw new UpdateFailure("cannot unpack the OS step into " + files + ": " + e.getMessage(), e);
        }
        return files;
    }

    private String how(String identity) {
        String[] id = identity.split(" ");
        return step.launcher() == OsStep.Launcher.SYSTEMD ? "transient unit " + id[id.length - 1] + ", pid " + id[0]
                : "pid " + id[0] + ", detached in its own session";
    }
}
