package org.portcullis.core.internal;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On first boot, when {@code etc/users.properties} holds no account at all, creates {@code admin}
 * with a generated password. There is no built-in default password. The password is written to a
 * file only the service user can read, and printed once when the console is a terminal (under a
 * service manager stdout is a journal, which must not keep it); the log names the file, never the
 * password.
 *
 * <p>The entry is written whole, hashed the way Karaf's realm checks it (SHA-512, hexadecimal,
 * {@code {CRYPT}} marks, as set in {@code etc/org.apache.karaf.jaas.cfg}), with its roles, in one
 * atomic rename. Karaf's auto-encryption watches the file and rewrites any entry that is not
 * hashed; writing step by step let it read half-written files and mangle entries, which cost the
 * admin its SSH role. The {@code auth} bundle (issue 4) replaces this store.
 */
@Component(immediate = true)
public class InitialAdminAccount {

    static final String ADMIN = "admin";
    /** Roles given directly: a group line would be mistaken for a user by Karaf's auto-encryption. */
    static final List<String> ADMIN_ROLES = List.of("admin", "manager", "viewer", "systembundles", "ssh");
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    private static final int PASSWORD_LENGTH = 20;
    private static final Logger LOG = LoggerFactory.getLogger(InitialAdminAccount.class);

    @Activate
    void activate() {
        Path users = Paths.get(System.getProperty("karaf.etc", "etc"), "users.properties");
        Path passwordFile = Paths.get(System.getProperty("karaf.data", "data"), "portcullis", "initial-admin-password");
        try {
            String password = createIfNoAccount(users, passwordFile, new SecureRandom());
            if (password == null) {
                return;
            }
            if (System.console() != null) {
                System.out.println("Portcullis first boot: SSH account '" + ADMIN + "' created with password " + password);
                System.out.println("(shown once; also in " + passwordFile + ", readable by the service user only)");
            } else {
                System.out.println("Portcullis first boot: SSH account '" + ADMIN + "' created; its password is in " + passwordFile);
            }
            LOG.info("First boot: created account '{}' with a generated password, stored in {}", ADMIN, passwordFile);
        } catch (IOException e) {
            LOG.error("Cannot create the initial admin account ({}); no admin account exists. Check that {} and {} are "
                    + "writable and restart.", e.getMessage(), users, passwordFile.getParent());
        }
    }

    /** Creates the admin entry when {@code users} has no account; returns the password, or {@code null} when there was one. */
    static String createIfNoAccount(Path users, Path passwordFile, SecureRandom random) throws IOException {
        String existing = Files.exists(users) ? Files.readString(users, StandardCharsets.ISO_8859_1) : "";
        boolean hasAccount = existing.lines().map(String::strip)
                .anyMatch(l -> !l.isEmpty() && !l.startsWith("#") && !l.startsWith("!"));
        if (hasAccount) {
            return null;
        }
        String password = generatePassword(random);
        writePrivate(passwordFile, password + "\n");
        String entry = ADMIN + " = {CRYPT}" + karafHash(password) + "{CRYPT}," + String.join(",", ADMIN_ROLES) + "\n";
        String content = existing.isEmpty() || existing.endsWith("\n") ? existing + entry : existing + "\n" + entry;
        Path tmp = users.resolveSibling(users.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.ISO_8859_1);
        try {
            Files.move(tmp, users, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, users, StandardCopyOption.REPLACE_EXISTING);
        }
        return password;
    }

    /** The stored form Karaf's properties realm checks with SHA-512 and hexadecimal encoding. */
    static String karafHash(String password) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-512").digest(password.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().withUpperCase().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-512", e);
        }
    }

    static String generatePassword(SecureRandom random) {
        StringBuilder sb = new StringBuilder(PASSWORD_LENGTH);
        for (int i = 0; i < PASSWORD_LENGTH; i++) {
            sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    static void writePrivate(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING)) {
            w.write(content);
        }
    }
}
