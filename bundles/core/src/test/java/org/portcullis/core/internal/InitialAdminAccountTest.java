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
    void firstBootWritesOneHashedEntryWithItsRolesAndNeverTwice() throws IOException {
        Path users = dir.resolve("users.properties");
        Files.writeString(users, "# comment only\n");
        Path pwFile = dir.resolve("data/initial-admin-password");
        String password = InitialAdminAccount.createIfNoAccount(users, pwFile, new SecureRandom());
        String content = Files.readString(users);
        assertTrue(content.startsWith("# comment only\n"), content);
        assertTrue(content.contains("admin = {CRYPT}" + InitialAdminAccount.karafHash(password)
                + "{CRYPT},admin,manager,viewer,systembundles,ssh\n"), content);
        assertTrue(!content.contains(password), "the password itself is never stored");
        assertEquals(password + "\n", Files.readString(pwFile));
        assertEquals(null, InitialAdminAccount.createIfNoAccount(users, pwFile, new SecureRandom()), "an account exists now");
        assertEquals(content, Files.readString(users));
    }

    @Test
    void hashIsKarafsSha512Hex() {
        // printf 'secret' | sha512sum, upper case: what Karaf's realm computes for the password "secret"
        assertEquals("BD2B1AAF7EF4F09BE9F52CE2D8D599674D81AA9D6A4421696DC4D93DD0619D682CE56B4D64A9EF097761CED99E0F67265B5F76085E5B0EE7CA4696B2AD6FE2B2",
                InitialAdminAccount.karafHash("secret"));
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
