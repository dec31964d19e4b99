package org.portcullis.cluster.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Pattern;

import org.portcullis.core.AtomicFiles;

/** This node's stable id: made once (a random UUID) and kept in a file under {@code data/}, so a restart keeps it. */
final class NodeId {

    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private NodeId() {
    }

    /** The id in {@code file}, made there first when the file does not exist. */
    static String of(Path file) throws IOException {
        if (Files.exists(file)) {
            String id = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (!SHAPE.matcher(id).matches()) {
                throw new IOException(file + " does not hold a node id (1 to 64 letters, digits, '.', '_' or '-'); "
                        + "delete it to have a new one made");
            }
            return id;
        }
        String id = UUID.randomUUID().toString();
        Files.createDirectories(file.getParent());
        AtomicFiles.write(file, out -> out.write((id + "\n").getBytes(StandardCharsets.US_ASCII)));
        return id;
    }
}
