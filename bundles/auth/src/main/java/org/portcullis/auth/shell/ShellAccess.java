package org.portcullis.auth.shell;

import java.util.Optional;

import org.portcullis.auth.Account;
import org.portcullis.auth.Accounts;
import org.portcullis.auth.AuthException;
import org.portcullis.auth.Right;
import org.portcullis.auth.Role;

/**
 * The checks every bundle's shell commands make. An SSH session belongs to an account of the
 * store; the local console (the terminal {@code bin/portcullis} runs in, user
 * {@code karaf.local.user}) has no account: whoever holds the machine's console is its admin.
 *
 * <p>The shell is for admins: only they may log in over SSH. The account is read again at
 * every command, so a session opened by an admin who has since been made a domain-admin or
 * user, or deleted, is refused from its next Portcullis command on — a right the account still
 * holds does not keep the shell open to it.
 */
public final class ShellAccess {

    private ShellAccess() {
    }

    /** The account of shell user {@code user}; empty for the local console. @throws AuthException (forbidden) for anyone else */
    public static Optional<Account> account(Accounts accounts, String user) {
        String name = user == null ? "" : user;
        Optional<Account> account = accounts.find(name);
        if (account.isEmpty() && !name.equals(System.getProperty("karaf.local.user", "karaf"))) {
            throw new AuthException(AuthException.Code.FORBIDDEN, "'" + name + "' is not a Portcullis account");
        }
        if (account.isPresent() && account.get().role() != Role.ADMIN) {
            throw new AuthException(AuthException.Code.FORBIDDEN, "the shell is for admins, and '" + name + "' is a "
                    + account.get().role().id() + " now: use the REST API, and end this session");
        }
        return account;
    }

    /** @throws AuthException (forbidden) unless shell user {@code user} holds {@code right} */
    public static Optional<Account> require(Accounts accounts, String user, Right right) {
        Optional<Account> account = account(accounts, user);
        if (account.isPresent() && !account.get().has(right)) {
            throw new AuthException(AuthException.Code.FORBIDDEN, "this needs the right '" + right.id() + "'");
        }
        return account;
    }
}
