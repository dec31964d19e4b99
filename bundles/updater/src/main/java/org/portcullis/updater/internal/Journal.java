package org.portcullis.updater.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

import org.portcullis.core.AtomicFiles;

/**
 * The update in flight, written (temp file, fsync, rename, directory fsync) before every side
 * effect, so that after a crash the updater knows which step it was in and whether the database
 * had committed. One file: {@code data/portcullis/updates/journal.properties}.
 */
final class Journal {

    /** Where an update is. */
    enum State {
        RUNNING, ROLLING_BACK, DONE, ROLLED_BACK, STOPPED
    }

    private final Path file;
    private final Properties p;

    private Journal(Path file, Properties p) {
        this.file = file;
        this.p = p;
    }

    static Journal start(Path file, String id, Path pkg, String from, String to, String owner) {
        Properties p = new Properties();
        p.setProperty("id", id);
        p.setProperty("package", pkg.toString());
        p.setProperty("from", from);
        p.setProperty("to", to);
        p.setProperty("owner", owner);
        p.setProperty("started", Instant.now().toString());
        p.setProperty("state", State.RUNNING.name());
        p.setProperty("step", Step.PRECHECK.name());
        p.setProperty("committed", "false");
        return new Journal(file, p);
    }

    static Optional<Journal> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        for (String key : new String[] {"id", "package", "from", "to", "owner", "state", "step", "committed"}) {
            if (p.getProperty(key) == null) {
                throw new IOException("update journal " + file + " has no '" + key + "'");
            }
        }
        return Optional.of(new Journal(file, p));
    }

    void save() throws IOException {
        StringWriter w = new StringWriter();
        p.store(w, "Portcullis update journal: written before every step; do not edit");
        byte[] bytes = w.toString().getBytes(StandardCharsets.ISO_8859_1);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    String id() {
        return p.getProperty("id");
    }

    Path packageFile() {
        return Path.of(p.getProperty("package"));
    }

    String from() {
        return p.getProperty("from");
    }

    String to() {
        return p.getProperty("to");
    }

    String owner() {
        return p.getProperty("owner");
    }

    void owner(String owner) {
        p.setProperty("owner", owner);
    }

    State state() {
        return State.valueOf(p.getProperty("state"));
    }

    void state(State s) {
        p.setProperty("state", s.name());
    }

    Step step() {
        return Step.valueOf(p.getProperty("step"));
    }

    /** Records that {@code s} is starting, and how often it has started: the loop guard counts these. */
    int begin(Step s) {
        p.setProperty("step", s.name());
        int n = Integer.parseInt(p.getProperty("attempts." + s.name(), "0")) + 1;
        p.setProperty("attempts." + s.name(), Integer.toString(n));
        return n;
    }

    boolean committed() {
        return Boolean.parseBoolean(p.getProperty("committed"));
    }

    void committed(boolean c) {
        p.setProperty("committed", Boolean.toString(c));
    }

    String get(String key) {
        return p.getProperty(key, "");
    }

    void set(String key, String value) {
        p.setProperty(key, value);
    }

    String message() {
        return p.getProperty("message", "");
    }

    void message(String m) {
        p.setProperty("message", m);
    }

    Path file() {
        return file;
    }
}
