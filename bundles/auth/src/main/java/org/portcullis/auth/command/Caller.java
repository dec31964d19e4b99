package org.portcullis.auth.command;

import java.util.Optional;

import org.apache.karaf.shell.api.console.Session;
import org.portcullis.auth.Account;
import org.portcullis.auth.Accounts;
import org.portcullis.auth.Right;
import org.portcullis.auth.ShellAccess;

/** Who runs a command: the session's user, checked by {@link ShellAccess}. */
final class Caller {

    private Caller() {
    }

    static String name(Session session) {
        Object user = session.get("USER");
        return user == null ? "" : user.toString();
    }

    /** The caller's account; empty for the local console. */
    static Optional<Account> account(Session session, Accounts accounts) {
        return ShellAccess.account(accounts, name(session));
    }

    /** @throws org.portcullis.auth.AuthException (forbidden) unless the caller holds {@code right} */
    static void require(Session session, Accounts accounts, Right right) {
        ShellAccess.require(accounts, name(session), right);
    }
}
