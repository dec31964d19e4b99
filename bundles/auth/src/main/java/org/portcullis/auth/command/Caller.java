package org.portcullis.auth.command;

import java.util.Optional;

import org.apache.karaf.shell.api.console.Session;
import org.portcullis.auth.Account;
import org.portcullis.auth.Accounts;
import org.portcullis.auth.AuthException;
import org.portcullis.auth.Right;

/**
 * Who runs a command, and the right checks the commands make. An SSH session belongs to an
 * account of the store. The local console (the terminal {@code bin/portcullis} runs in, user
 * {@code karaf.local.user}) has no account: whoever holds the machine's console is its admin.
 */
final class Caller {

    private Caller() {
    }

    static String name(Session session) {
        Object user = session.get("USER");
        return user == null ? "" : user.toString();
    }

    /** The caller's account; empty for the local console. */
    static Optional<Account> account(Session session, Accounts accounts) {
        String name = name(session);
        Optional<Account> account = accounts.find(name);
        if (account.isEmpty() && !isLocalConsole(name)) {
            throw new AuthException(AuthException.Code.FORBIDDEN, "'" + name + "' is not a Portcullis account");
        }
        return account;
    }

    /** @throws AuthException (forbidden) unless the caller holds {@code right} */
    static void require(Session session, Accounts accounts, Right right) {
        Optional<Account> account = account(session, accounts);
        if (account.isPresent() && !account.get().has(right)) {
            throw new AuthException(AuthException.Code.FORBIDDEN, "this needs the right '" + right.id() + "'");
        }
    }

    private static boolean isLocalConsole(String name) {
        return name.equals(System.getProperty("karaf.local.user", "karaf"));
    }
}
