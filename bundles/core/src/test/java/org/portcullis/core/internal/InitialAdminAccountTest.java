package org.portcullis.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitialAdminAccountTest {

    @TempDir
    Path dir;

    @Test
    void generatedPasswordsAreLongAndDiffer() {
        SecureRandom random = new SecureRandom();
        String a = InitialAdminAccount.generatePassword(random);
        String b = InitialAdminAccount.generatePassword(random);
        assertEquals(20, a.length());
        assertTrue(a.matches("[A-Za-z2-9]+"), a);
        assertNotEquals(a, b);
    }

    @Test
    void passwordFileIsReadableByTheOwnerOnly() throws IOException {
        Path file = dir.resolve("portcullis/initial-admin-password");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "old");
        InitialAdminAccount.writePrivate(file, "secret\n");
        assertEquals("secret\n", Files.readString(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }
}
