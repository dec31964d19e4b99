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

    @Test
    void aFileWithASecretIsMadeOwnerOnlyAndKeepsItsContent() throws IOException {
        Path cfg = dir.resolve("org.ops4j.pax.web.cfg");
        Files.writeString(cfg, "org.ops4j.pax.web.ssl.keystore.password = s3cret\n");
        Files.setPosixFilePermissions(cfg, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        org.junit.jupiter.api.Assertions.assertTrue(AtomicFiles.restrictToOwner(cfg));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(cfg)));
        assertEquals("org.ops4j.pax.web.ssl.keystore.password = s3cret\n", Files.readString(cfg));
        org.junit.jupiter.api.Assertions.assertFalse(AtomicFiles.restrictToOwner(cfg), "already private: nothing to change");
        org.junit.jupiter.api.Assertions.assertFalse(AtomicFiles.restrictToOwner(dir.resolve("missing.cfg")));
    }
}
