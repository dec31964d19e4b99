package org.portcullis.auth;

import java.util.Optional;

/**
 * The right checks every bundle's shell commands make. An SSH session belongs to an account of
 * the store; the local console (the terminal {@code bin/portcullis} runs in, user
 * {@code karaf.local.user}) has no account: whoever holds the machine's console is its admin.
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
