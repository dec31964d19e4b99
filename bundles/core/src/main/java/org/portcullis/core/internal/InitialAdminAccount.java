package org.portcullis.core.internal;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

import java.util.List;

import javax.security.auth.login.AppConfigurationEntry;

import org.apache.karaf.jaas.config.JaasRealm;
import org.apache.karaf.jaas.modules.BackingEngine;
import org.apache.karaf.jaas.modules.BackingEngineFactory;
import org.apache.karaf.jaas.modules.BackingEngineService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On first boot, when the shell realm has no account at all, creates the {@code admin} account with
 * a generated password. There is no built-in default password. The password is written to a file
 * only the service user can read, and printed once when the console is a terminal (under a service
 * manager stdout is a journal, which must not keep it); the log names the file, never the password. The account is stored through Karaf's own backing engine, so the hash is Karaf's.
 */
@Component(immediate = true)
public class InitialAdminAccount {

    static final String ADMIN = "admin";
    static final String ADMIN_GROUP = "admingroup";
    private static final String REALM = "karaf";
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    private static final int PASSWORD_LENGTH = 20;
    private static final Logger LOG = LoggerFactory.getLogger(InitialAdminAccount.class);

    // Karaf registers its realms without service properties, so the realm is picked by name;
    // static + greedy re-activates this component when more realms or engines appear.
    @Reference(cardinality = ReferenceCardinality.AT_LEAST_ONE, policyOption = ReferencePolicyOption.GREEDY)
    private List<JaasRealm> realms;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policyOption = ReferencePolicyOption.GREEDY)
    private List<BackingEngineFactory> engineFactories;

    @Activate
    void activate() {
        BackingEngine engine = propertiesEngine();
        if (engine == null) {
            return;
        }
        if (!engine.listUsers().isEmpty()) {
            return;
        }
        String password = generatePassword(new SecureRandom());
        Path file = Paths.get(System.getProperty("karaf.data", "data"), "portcullis", "initial-admin-password");
        try {
            writePrivate(file, password + "\n");
        } catch (IOException e) {
            LOG.error("Cannot write the initial admin password to {} ({}); no admin account created. "
                    + "Check that the data directory is writable and restart.", file, e.getMessage());
            return;
        }
        engine.addUser(ADMIN, password);
        engine.addGroup(ADMIN, ADMIN_GROUP);
        if (System.console() != null) {
            System.out.println("Portcullis first boot: SSH account '" + ADMIN + "' created with password " + password);
            System.out.println("(shown once; also in " + file + ", readable by the service user only)");
        } else {
            // Not a terminal: stdout may be a service journal, which must not keep the password.
            System.out.println("Portcullis first boot: SSH account '" + ADMIN + "' created; its password is in " + file);
        }
        LOG.info("First boot: created account '{}' with a generated password, stored in {}", ADMIN, file);
    }

    private BackingEngine propertiesEngine() {
        JaasRealm realm = realms.stream().filter(r -> REALM.equals(r.getName())).findFirst().orElse(null);
        if (realm == null) {
            return null;
        }
        BackingEngineService engines = new BackingEngineService();
        engines.setEngineFactories(engineFactories);
        for (AppConfigurationEntry entry : realm.getEntries()) {
            BackingEngine engine = engines.get(entry);
            if (engine != null) {
                return engine;
            }
        }
        return null;
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
