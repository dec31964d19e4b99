package org.portcullis.auth.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.Deque;

import org.apache.karaf.shell.api.console.Session;
import org.junit.jupiter.api.Test;
import org.portcullis.auth.AuthException;

/** The password prompt: Ctrl-C ends the command, not the console. */
class PasswordInputTest {

    /** A shell session whose line reader gives these answers, or throws them. */
    private static Session answering(Object... answers) {
        Deque<Object> left = new ArrayDeque<>(java.util.List.of(answers));
        return (Session) Proxy.newProxyInstance(Session.class.getClassLoader(), new Class<?>[] {Session.class}, (proxy, method, args) -> {
            if (!method.getName().equals("readLine")) {
                throw new UnsupportedOperationException("this fake session only answers readLine, not " + method.getName());
            }
            Object next = left.pop();
            if (next instanceof Throwable t) {
                throw t;
            }
            return next;
        });
    }

    @Test
    void ctrlCAtThePromptCancelsTheCommandInOneLine() {
        // what the terminal's interrupt turns into inside the line reader
        AuthException e = assertThrows(AuthException.class,
                () -> PasswordInput.read(answering(new java.io.IOError(new java.io.IOException("Input/output error"))), null, "x"));
        assertEquals("cancelled at the prompt; nothing was changed", e.getMessage());
        assertEquals("cancelled at the prompt; nothing was changed", assertThrows(AuthException.class,
                () -> PasswordInput.read(answering("first-try-password", new IllegalStateException("interrupted")), null, "x")).getMessage());
    }

    @Test
    void twoEqualAnswersAreThePassword() throws Exception {
        assertEquals("same-secret-twice", new String(PasswordInput.read(answering("same-secret-twice", "same-secret-twice"), null, "x")));
        assertEquals("the two passwords differ; nothing was changed",
                assertThrows(AuthException.class, () -> PasswordInput.read(answering("one-secret-here", "another-one"), null, "x")).getMessage());
    }
}
