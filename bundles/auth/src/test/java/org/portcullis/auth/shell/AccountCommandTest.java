package org.portcullis.auth.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.apache.karaf.shell.support.CommandException;
import org.junit.jupiter.api.Test;
import org.portcullis.auth.AuthException;

class AccountCommandTest {

    @Test
    void aRefusalWithItsReasonBecomesACommandExceptionSoKarafLogsNoStackTrace() {
        for (Exception refusal : new Exception[] {new IllegalArgumentException("no such list entry 7"),
                new IllegalStateException("2 of 5 prechecks failed"), new AuthException(AuthException.Code.FORBIDDEN, "this needs the right 'update'")}) {
            Exception e = AccountCommand.refusal(refusal);
            assertTrue(e instanceof CommandException, e.toString());
            assertEquals(refusal.getMessage(), e.getMessage());
            assertTrue(((CommandException) e).getNiceHelp().contains("Error executing command: " + refusal.getMessage()));
        }
    }

    @Test
    void aBugOrAnExceptionWithoutAReasonIsLeftToBeLoggedInFull() {
        for (Exception bug : new Exception[] {new NullPointerException("x is null"), new IllegalArgumentException(),
                new IOException("disk failed"), new CommandException("already one")}) {
            assertSame(bug, AccountCommand.refusal(bug));
        }
    }
}
