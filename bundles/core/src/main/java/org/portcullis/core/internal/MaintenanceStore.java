package org.portcullis.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Properties;

import org.portcullis.core.AtomicFiles;
import org.portcullis.core.MaintenanceState;

/**
 * Keeps the maintenance state in a small properties file, written with {@link AtomicFiles}, so a
 * crash leaves either the old or the new state.
 */
final class MaintenanceStore {

    private final Path file;

    MaintenanceStore(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /**
     * Reads the state; a missing file means maintenance is off.
     *
     * @throws CorruptStateException when the file exists but cannot be understood
     */
    MaintenanceState load() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            return MaintenanceState.OFF;
        } catch (IllegalArgumentException e) {
            throw new CorruptStateException(file + ": " + e.getMessage());
        }
        String active = p.getProperty("active");
        if (!"true".equals(active) && !"false".equals(active)) {
            throw new CorruptStateException(file + ": 'active' must be true or false, found " + quote(active));
        }
        if ("false".equals(active)) {
            return MaintenanceState.OFF;
        }
        try {
            return new MaintenanceState(true, p.getProperty("reason", ""),
                    Instant.parse(p.getProperty("since", "")), p.getProperty("by", ""));
        } catch (DateTimeParseException e) {
            throw new CorruptStateException(file + ": 'since' is not an ISO-8601 instant: "
                    + quote(p.getProperty("since")));
        }
    }

    void save(MaintenanceState state) throws IOException {
        Properties p = new Properties();
        p.setProperty("active", Boolean.toString(state.active()));
        if (state.active()) {
            p.setProperty("reason", state.reason());
            p.setProperty("since", state.since().toString());
            p.setProperty("by", state.by());
        }
        AtomicFiles.write(file, out -> p.store(out, "Portcullis maintenance mode; change it with portcullis:maintenance"));
    }

    private static String quote(String s) {
        return s == null ? "nothing" : "'" + s + "'";
    }

    /** The state file exists but does not hold a state this code wrote. */
    static final class CorruptStateException extends IOException {
        private static final long serialVersionUID = 1L;

        CorruptStateException(String message) {
            super(message);
        }
    }
}
