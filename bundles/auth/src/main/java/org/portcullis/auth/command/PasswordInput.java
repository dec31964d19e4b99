package org.portcullis.auth.command;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.apache.karaf.shell.api.console.Session;
import org.portcullis.auth.AuthException;

/** A new password: from a file (its first line), or typed twice at the terminal without echo. */
final class PasswordInput {

    private PasswordInput() {
    }

    /**
     * One line typed without echo. Ctrl-C at the prompt ends this command only: the terminal's
     * interrupt reaches the line reader as an {@link java.io.IOError} or an interrupt exception,
     * which, left to propagate, ends the console (and a container started in the foreground).
     */
    static String prompt(Session session, String text) throws IOException {
        try {
            return session.readLine(text, '\0');
        } catch (java.io.IOError | RuntimeException interrupted) {
            if (interrupted instanceof AuthException a) {
                throw a;
            }
            throw new AuthException(AuthException.Code.INVALID, "cancelled at the prompt; nothing was changed");
        }
    }

    static char[] read(Session session, String file, String forWhom) throws IOException {
        if (file != null) {
            Path path = Path.of(file);
            if (!Files.isReadable(path)) {
                throw new AuthException(AuthException.Code.INVALID, "cannot read the password file " + file);
            }
            String first = Files.readString(path, StandardCharsets.UTF_8).lines().findFirst().orElse("");
            return first.toCharArray();
        }
        String once = prompt(session, "New password for " + forWhom + ": ");
        String twice = prompt(session, "Once more: ");
        if (once == null || twice == null) {
            throw new AuthException(AuthException.Code.INVALID, "no terminal to type a password at: use --password-file");
        }
        char[] a = once.toCharArray();
        char[] b = twice.toCharArray();
        try {
            if (!Arrays.equals(a, b)) {
                throw new AuthException(AuthException.Code.INVALID, "the two passwords differ; nothing was changed");
            }
            return a.clone();
        } finally {
            Arrays.fill(a, '\0');
            Arrays.fill(b, '\0');
        }
    }
}
