package org.portcullis.updater.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The update's log, in the shape of the product's release notes, appended and synced line by
 * line to {@code data/portcullis/updates/<from>-<to>.log} (the shell and REST follow the file, so
 * they keep following it when the updater bundle itself is swapped), and to karaf.log.
 */
final class UpdateLog {

    /** The last line of every update's log starts with this. */
    static final String LAST = "006: ";

    private static final Logger LOG = LoggerFactory.getLogger(UpdateLog.class);
    private final Path file;

    UpdateLog(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    void line(String text) {
        LOG.info("update: {}", text);
        append(text);
    }

    /** A line that says the update failed or stopped: a WARN in karaf.log as well. */
    void warn(String text) {
        LOG.warn("update: {}", text);
        append(text);
    }

    private void append(String text) {
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8)));
                ch.force(false);
            }
        } catch (IOException e) {
            LOG.warn("cannot write the update log {}: {}", file, e.getMessage());
        }
    }
}
