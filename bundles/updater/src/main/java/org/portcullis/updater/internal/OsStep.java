package org.portcullis.updater.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.portcullis.core.AtomicFiles;

/**
 * Runs a program of an update's OS step outside the container, so that a restart or a crash of
 * Karaf cannot kill it and the JVM never waits on it as a child: where systemd is PID 1, as a
 * transient unit ({@code systemd-run}); elsewhere detached by {@code setsid} in its own session
 * and process group, stdin from /dev/null, output to a file. Both go through a small shell
 * wrapper that writes its pid, waits for a go (given only once the updater's journal holds that
 * pid and its start time), runs the program, and writes its exit status to a file by rename.
 * So after any restart the run's directory says whether it never started, is running, finished
 * (and how) or was cut off (gone without a status: the machine lost power, or its process group
 * was killed).
 */
final class OsStep {

    /** How the program is put outside the container. */
    enum Launcher {
        /** {@code systemd-run --unit portcullis-update-…}: systemd keeps it when Karaf's unit restarts. */
        SYSTEMD,
        /** {@code setsid -f}: its own session and process group, reparented away from the JVM. */
        DETACHED;

        /** systemd when it is PID 1 and systemd-run is there, else detached (when setsid is there). */
        static Optional<Launcher> detect(String configured) {
            return switch (configured.trim()) {
                case "systemd" -> Optional.of(SYSTEMD);
                case "detached" -> Optional.of(DETACHED);
                default -> systemdIsPid1() && onPath("systemd-run") ? Optional.of(SYSTEMD)
                        : onPath("setsid") ? Optional.of(DETACHED) : Optional.empty();
            };
        }
    }

    /** Where a run stands, read from its directory and /proc. */
    enum Status {
        /** The wrapper never got its go (or the run was never launched): the program did not run. */
        NOT_STARTED,
        /** The wrapper's process is alive. */
        RUNNING,
        /** It ended with exit status 0. */
        SUCCEEDED,
        /** It ended with another exit status. */
        FAILED,
        /** Its process is gone without an exit status: it was cut off mid-way. */
        CUT_OFF
    }

    /** A run's state; {@code exit} is meaningful for SUCCEEDED and FAILED. */
    record State(Status status, int exit, long pid) {
        String describe() {
            return switch (status) {
                case NOT_STARTED -> "never started";
                case RUNNING -> "is running (pid " + pid + ")";
                case SUCCEEDED -> "finished, exit 0";
                case FAILED -> "failed, exit " + exit;
                case CUT_OFF -> "was cut off (pid " + pid + " gone without an exit status)";
            };
        }
    }

    static final String WRAPPER = """
            #!/bin/sh
            # Portcullis: runs one program of an update's OS step outside the container.
            # $1: the run's directory; the rest: the program and its arguments.
            dir=$1
            shift
            echo $$ > "$dir/pid.tmp" && mv -f "$dir/pid.tmp" "$dir/pid"
            # the updater gives the go once its journal holds this pid, or cancels
            n=0
            while [ ! -e "$dir/go" ]; do
              if [ -e "$dir/cancel" ] || [ $n -ge 1200 ]; then
                echo not-started > "$dir/status.tmp" && mv -f "$dir/status.tmp" "$dir/status"
                exit 0
              fi
              n=$((n + 1))
              sleep 0.1
            done
            "$@" < /dev/null >> "$dir/output" 2>&1
            rc=$?
            echo $rc > "$dir/status.tmp"
            sync "$dir/status.tmp" 2>/dev/null
            mv -f "$dir/status.tmp" "$dir/status"
            sync "$dir" 2>/dev/null
            exit 0
            """;

    private final Path runs;
    private final Launcher launcher;

    /** @param runs the folder that holds one directory per run */
    OsStep(Path runs, Launcher launcher) {
        this.runs = runs;
        this.launcher = launcher;
    }

    Launcher launcher() {
        return launcher;
    }

    /** The directory of run {@code name}. */
    Path dir(String name) {
        return runs.resolve(name);
    }

    /**
     * Starts {@code command} outside the container, in {@code workDir} with {@code env} added,
     * and returns once its wrapper has written its pid; the program itself waits for
     * {@link #go}. Returns the run's identity for the journal: {@code pid start-time} (and the
     * unit under systemd).
     */
    String launch(String name, Path workDir, List<String> command, Map<String, String> env, String unitPrefix) throws IOException {
        Path dir = dir(name);
        Files.createDirectories(dir);
        for (String leftover : List.of("pid", "go", "cancel", "status")) {
            Files.deleteIfExists(dir.resolve(leftover));
        }
        Path wrapper = dir.resolve("wrapper.sh");
        AtomicFiles.write(wrapper, out -> out.write(WRAPPER.getBytes(StandardCharsets.UTF_8)));
        String unit = unitPrefix + "-" + name;
        List<String> argv = argv(launcher, unit, dir, workDir, wrapper, command, env);
        ProcessBuilder pb = new ProcessBuilder(argv).directory(workDir.toFile()).redirectInput(new File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("launcher.log").toFile())).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            // setsid -f and systemd-run return at once; the program lives on outside
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(argv.get(0) + " did not start " + command.get(0) + ": " + tail(dir.resolve("launcher.log"), 3));
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.isRegularFile(dir.resolve("pid"))) {
                if (System.nanoTime() > end) {
                    throw new IOException("the OS step's wrapper wrote no pid within 60 s: " + tail(dir.resolve("launcher.log"), 3));
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + command.get(0));
        }
        long pid = pid(dir);
        String identity = pid + " " + startTime(pid).orElse(-1L);
        return launcher == Launcher.SYSTEMD ? identity + " " + unit : identity;
    }

    static List<String> argv(Launcher launcher, String unit, Path dir, Path workDir, Path wrapper, List<String> command, Map<String, String> env) {
        List<String> argv = new ArrayList<>();
        if (launcher == Launcher.SYSTEMD) {
            argv.addAll(List.of("systemd-run", "--unit=" + unit, "--collect", "--quiet", "--no-block", "--working-directory=" + workDir));
            env.forEach((k, v) -> argv.add("--setenv=" + k + "=" + v));
        } else {
            argv.addAll(List.of("setsid", "-f"));
        }
        argv.addAll(List.of("/bin/sh", wrapper.toString(), dir.toString()));
        argv.addAll(command);
        return argv;
    }

    /** Lets the run's program start (its pid is in the journal). */
    void go(String name) throws IOException {
        Path go = dir(name).resolve("go");
        if (!Files.exists(go)) {
            AtomicFiles.write(go, out -> { });
        }
    }

    /** Whether the run was given its go (its program may have run). */
    boolean given(String name) {
        return Files.exists(dir(name).resolve("go"));
    }

    /** Tells a wrapper still waiting for its go not to run the program. */
    void cancel(String name) throws IOException {
        if (!given(name)) {
            AtomicFiles.write(dir(name).resolve("cancel"), out -> { });
        }
    }

    /** Where run {@code name} stands; {@code identity} is what the journal recorded at launch (empty if nothing was). */
    State state(String name, String identity) {
        Path dir = dir(name);
        try {
            Path status = dir.resolve("status");
            if (Files.isRegularFile(status)) {
                String s = Files.readString(status).strip();
                if (s.equals("not-started")) {
                    return new State(Status.NOT_STARTED, -1, -1);
                }
                int exit = s.matches("[0-9]{1,3}") ? Integer.parseInt(s) : 255;
                return new State(exit == 0 ? Status.SUCCEEDED : Status.FAILED, exit, -1);
            }
            if (identity.isBlank() || !Files.isRegularFile(dir.resolve("pid"))) {
                return new State(Status.NOT_STARTED, -1, -1);
            }
            String[] id = identity.trim().split(" ");
            long pid = Long.parseLong(id[0]);
            long start = Long.parseLong(id[1]);
            if (alive(pid, start)) {
                return new State(Status.RUNNING, -1, pid);
            }
            // gone: it may have written its status between the first look and this one
            if (Files.isRegularFile(status)) {
                return state(name, identity);
            }
            return given(name) ? new State(Status.CUT_OFF, -1, pid) : new State(Status.NOT_STARTED, -1, pid);
        } catch (IOException | RuntimeException e) {
            return new State(Status.CUT_OFF, -1, -1);
        }
    }

    /** Kills the run's whole process group (or unit): it overran its time. */
    void kill(String name, String identity) {
        String[] id = identity.trim().split(" ");
        List<String> argv = id.length > 2 ? List.of("systemctl", "kill", "--signal=KILL", id[2]) : List.of("kill", "-KILL", "--", "-" + id[0]);
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            // the state that follows says cut off or finished either way
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last {@code lines} lines of the run's output, for the update log. */
    List<String> output(String name, int lines) {
        return last(dir(name).resolve("output"), lines);
    }

    private static String tail(Path file, int lines) {
        List<String> l = last(file, lines);
        return l.isEmpty() ? "no output" : String.join(" / ", l);
    }

    private static List<String> last(Path file, int lines) {
        try {
            List<String> all = Files.isRegularFile(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
            return all.subList(Math.max(0, all.size() - lines), all.size());
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of("(output not readable: " + e.getMessage() + ")");
        }
    }

    private static long pid(Path dir) throws IOException {
        String s = Files.readString(dir.resolve("pid")).strip();
        if (!s.matches("[0-9]{1,10}")) {
            throw new IOException("the OS step's wrapper wrote no pid but '" + s + "'");
        }
        return Long.parseLong(s);
    }

    /** Whether process {@code pid} lives (not a zombie) and is the one that started at {@code start}. */
    static boolean alive(long pid, long start) {
        Optional<String[]> stat = stat(pid);
        return stat.isPresent() && !stat.get()[0].equals("Z") && !stat.get()[0].equals("X") && Long.parseLong(stat.get()[19]) == start;
    }

    /** Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot. */
    static Optional<Long> startTime(long pid) {
        return stat(pid).map(f -> Long.parseLong(f[19]));
    }

    /** The fields of /proc/PID/stat after the command name (state first). */
    private static Optional<String[]> stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
            return f.length > 19 ? Optional.of(f) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean systemdIsPid1() {
        try {
            return Files.readString(Path.of("/proc/1/comm")).strip().equals("systemd");
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        for (String d : (path == null ? "/usr/bin:/bin:/usr/sbin:/sbin" : path).split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }

    /** Splits a configured command on spaces (no shell: no quoting, no expansion). */
    static List<String> words(String command) {
        List<String> out = new ArrayList<>();
        for (String w : command.trim().split("\\s+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    /** How long to wait for a run, polling its state. Returns the state at the end (RUNNING if it overran). */
    State await(String name, String identity, Duration limit, Services services) {
        long end = System.nanoTime() + limit.toNanos();
        while (true) {
            State s = state(name, identity);
            if (s.status() != Status.RUNNING || System.nanoTime() > end) {
                return s;
            }
            services.checkActive();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Services.Stopped();
            }
        }
    }
}
