package org.portcullis.auth.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.util.Arrays;

import org.portcullis.core.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First boot: when the account store has no admin, creates {@code admin}. Its password comes from
 * the file named by {@code initial.admin.password.file}, else from the environment variable
 * {@code PORTCULLIS_INITIAL_ADMIN_PASSWORD}, else it is generated (20 characters) and written to
 * {@code data/portcullis/initial-admin-password}, readable by the service user only. There is
 * never a built-in default. The log names the file, never the password; it is printed once only
 * when the console is a terminal (under a service manager stdout is a journal, which keeps it).
 */
final class InitialAdmin {

    static final String ADMIN = "admin";
    static final String ENV = "PORTCULLIS_INITIAL_ADMIN_PASSWORD";
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    private static final int GENERATED_LENGTH = 20;
    private static final Logger LOG = LoggerFactory.getLogger(InitialAdmin.class);

    private InitialAdmin() {
    }

    /** Called by the store as it activates, before it is registered: nobody can log in without an admin. */
    static void ensure(AccountStore store, AuthConfig config) {
        Path generatedFile = Paths.get(System.getProperty("karaf.data", "data"), "portcullis", "initial-admin-password");
        try {
            run(store, config.initial_admin_password_file(), System.getenv(ENV), generatedFile, new SecureRandom());
        } catch (IOException | RuntimeException e) {
            LOG.error("Cannot create the first admin account: {}. Nobody can log in until this is fixed (then restart).",
                    e.getMessage());
        }
    }

    /** Creates the admin when none exists; returns what it did, for the log and tests. */
    static String run(AccountStore store, String passwordFile, String env, Path generatedFile, SecureRandom random)
            throws IOException {
        char[] password;
        String source;
        if (passwordFile != null && !passwordFile.isBlank()) {
            password = Files.readString(Paths.get(passwordFile), StandardCharsets.UTF_8).strip().toCharArray();
            source = "the file " + passwordFile;
        } else if (env != null && !env.isEmpty()) {
            password = env.toCharArray();
            source = "the environment variable " + ENV;
        } else {
            password = generate(random);
            source = null;
        }
        try {
            if (!store.createAdminIfNone(ADMIN, password)) {
                return "an admin exists";
            }
            if (source != null) {
                LOG.info("First boot: created account '{}' with the password from {}", ADMIN, source);
                return "created from " + source;
            }
            AtomicFiles.writePrivate(generatedFile, out -> out.write((new String(password) + "\n").getBytes(StandardCharsets.UTF_8)));
            if (System.console() != null) {
                System.out.println("Portcullis first boot: account '" + ADMIN + "' created with password " + new String(password));
                System.out.println("(shown once; also in " + generatedFile + ", readable by the service user only)");
            } else {
                System.out.println("Portcullis first boot: account '" + ADMIN + "' created; its password is in " + generatedFile);
            }
            LOG.info("First boot: created account '{}' with a generated password, stored in {}", ADMIN, generatedFile);
            return "generated into " + generatedFile;
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    static char[] generate(SecureRandom random) {
        char[] p = new char[GENERATED_LENGTH];
        for (int i = 0; i < p.length; i++) {
            p[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
        }
        return p;
    }
}
