package org.portcullis.backup.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.portcullis.backup.BackupException;
import org.portcullis.backup.BackupHeader;
import org.portcullis.backup.BackupInfo;
import org.portcullis.backup.BackupParticipant;

/** Making and verifying backup files on disk: whole or nothing, private, verified without changing anything. */
class BackupFilesTest {

    @TempDir
    Path dir;

    private static final byte[] BIG = new byte[3 * 1024 * 1024 + 5];

    static {
        new Random(3).nextBytes(BIG);
    }

    private static Function<BackupHeader, byte[]> passphrase(String p) {
        return h -> BackupCrypto.keyFromPassphrase(p.toCharArray(), h);
    }

    private static BackupParticipant participant(String name, String part, byte[] data) {
        return new BackupParticipant() {
            public String name() {
                return name;
            }

            public void backup(Output out) throws IOException {
                try (OutputStream o = out.part(part)) {
                    o.write(data);
                }
            }
        };
    }

    @Test
    void aBackupIsWrittenWholePrivateAndVerifiesPartByPart() throws Exception {
        Path target = dir.resolve("portcullis-1.pcbk");
        BackupInfo made = BackupFiles.create(target, BackupFiles.newHeader("1.2.0", "gw1", "passphrase"), passphrase("long passphrase 1"),
                List.of(participant("database", "auth", BIG), participant("config", "etc/org.portcullis.auth.cfg", "x = 1\n".getBytes())), p -> { });
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertEquals(List.of("database/auth", "config/etc/org.portcullis.auth.cfg"), made.parts());
        assertEquals(BIG.length + 6, made.payloadBytes());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList(), "no temporary file left");
        }
        byte[] before = Files.readAllBytes(target);
        BackupInfo verified = BackupFiles.verify(target, passphrase("long passphrase 1"), p -> { });
        assertEquals(made.parts(), verified.parts());
        assertEquals(made.payloadBytes(), verified.payloadBytes());
        assertEquals("1.2.0", verified.header().productVersion());
        assertArrayEquals(before, Files.readAllBytes(target), "verifying changes nothing");
    }

    @Test
    void aFailureWhileWritingLeavesNoFileAndTheOldBackupUntouched() throws Exception {
        Path target = dir.resolve("nightly.pcbk");
        BackupFiles.create(target, BackupFiles.newHeader("1.2.0", "gw1", "passphrase"), passphrase("long passphrase 1"),
                List.of(participant("database", "auth", "old".getBytes())), p -> { });
        byte[] old = Files.readAllBytes(target);
        BackupParticipant diskFull = new BackupParticipant() {
            public String name() {
                return "database";
            }

            public void backup(Output out) throws IOException {
                try (OutputStream o = out.part("lists")) {
                    o.write(BIG);
                    throw new IOException("No space left on device");
                }
            }
        };
        IOException e = assertThrows(IOException.class, () -> BackupFiles.create(target, BackupFiles.newHeader("1.2.0", "gw1", "passphrase"),
                passphrase("long passphrase 1"), List.of(diskFull), p -> { }));
        assertEquals("No space left on device", e.getMessage());
        assertArrayEquals(old, Files.readAllBytes(target), "the previous backup under that name is intact");
        try (var files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList(), "the partial file was removed");
        }
    }

    @Test
    void verifyRefusesAWrongPassphraseAnAlteredFileAndAMissingOne() throws Exception {
        Path target = dir.resolve("b.pcbk");
        BackupFiles.create(target, BackupFiles.newHeader("1.2.0", "gw1", "passphrase"), passphrase("long passphrase 1"),
                List.of(participant("database", "auth", BIG)), p -> { });
        assertEquals("wrong passphrase or key file for this backup (or its header was altered)",
                assertThrows(BackupException.class, () -> BackupFiles.verify(target, passphrase("another passphrase"), p -> { })).getMessage());
        byte[] bytes = Files.readAllBytes(target);
        bytes[bytes.length / 2] ^= 1;
        Path altered = dir.resolve("altered.pcbk");
        Files.write(altered, bytes);
        BackupException e = assertThrows(BackupException.class, () -> BackupFiles.verify(altered, passphrase("long passphrase 1"), p -> { }));
        assertFalse(e.getMessage().isBlank());
        assertEquals("no backup file " + dir.resolve("none.pcbk"),
                assertThrows(BackupException.class, () -> BackupFiles.verify(dir.resolve("none.pcbk"), passphrase("x"), p -> { })).getMessage());
    }
}
