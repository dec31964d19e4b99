package org.portcullis.backup.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.portcullis.backup.BackupException;

/** The one rule for backup passphrases, whether they come from the shell, the schedule or REST. */
public final class Passphrases {

    public static final int MIN_LENGTH = 12;

    private Passphrases() {
    }

    /** The passphrase in the first line of {@code file}. */
    public static char[] fromFile(Path file) throws IOException {
        if (!Files.isReadable(file)) {
            throw new BackupException("cannot read the passphrase file " + file);
        }
        String first = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("");
        if (first.length() < MIN_LENGTH) {
            throw new BackupException("the passphrase in " + file + " is shorter than " + MIN_LENGTH + " characters");
        }
        return first.toCharArray();
    }

    /** Whether {@code passphrase} is long enough. */
    public static boolean acceptable(String passphrase) {
        return passphrase.length() >= MIN_LENGTH;
    }
}
