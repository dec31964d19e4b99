package org.portcullis.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole or not at all, private when asked, and no temporary file left either way. */
class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void aPrivateFileIsOwnerOnlyAndReplacesTheOldOneWhole() throws IOException {
        Path file = dir.resolve("keys/secret");
        Files.createDirectories(file.getParent());
        Files.writeString(file.resolveSibling("secret.tmp"), "left by a crash");
        AtomicFiles.writePrivate(file, out -> out.write("one".getBytes(StandardCharsets.UTF_8)));
        AtomicFiles.writePrivate(file, out -> out.write("two".getBytes(StandardCharsets.UTF_8)));
        assertEquals("two", Files.readString(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "the leftover temporary file is gone too");
        }
    }

    @Test
    void aFailingWriteLeavesTheOldFileAndNoTemporaryOne() throws IOException {
        Path file = dir.resolve("state");
        AtomicFiles.write(file, out -> out.write("old".getBytes(StandardCharsets.UTF_8)));
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(file, out -> {
            out.write("half".getBytes(StandardCharsets.UTF_8));
            throw new IOException("No space left on device");
        }));
        assertEquals("No space left on device", e.getMessage());
        assertEquals("old", Files.readString(file));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }
}
