package org.portcullis.auth.shell;

import java.util.Optional;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.CommandException;
import org.portcullis.auth.Account;
import org.portcullis.auth.Accounts;
import org.portcullis.auth.Delegation;
import org.portcullis.auth.Right;

/**
 * Base of every Portcullis shell command: the account store, the session, and the right the
 * command needs, checked before it runs ({@link ShellAccess}).
 */
public abstract class AccountCommand implements Action {

    @Reference
    protected Accounts accounts;

    @Reference
    protected Session session;

    /** The right the caller must hold, or {@code null} when the command checks for itself. */
    protected abstract Right required();

    protected abstract void run() throws Exception;

    @Override
    public final Object execute() throws Exception {
        try {
            Right right = required();
            if (right != null) {
                ShellAccess.require(accounts, user(), right);
            } else {
                ShellAccess.account(accounts, user()); // no right needed, but still an admin's session
            }
            run();
            return null;
        } catch (Exception e) {
            throw refusal(e);
        }
    }

    /**
     * A refusal with its one-line reason (bad input, a missing right, a file that does not
     * verify) becomes Karaf's {@link CommandException}: the console prints "Error executing
     * command: reason" as before, and karaf.log gets no ERROR and stack trace for what was the
     * caller's mistake. Anything else (a bug) is left to be logged in full.
     */
    static Exception refusal(Exception e) {
        boolean explained = e.getMessage() != null && !e.getMessage().isBlank()
                && (e instanceof IllegalArgumentException || e instanceof IllegalStateException
                        || e.getClass().getName().startsWith("org.portcullis."));
        return explained && !(e instanceof CommandException) ? new CommandException(e.getMessage(), e) : e;
    }

    /** The session's user name. */
    protected String user() {
        Object user = session.get("USER");
        return user == null ? "" : user.toString();
    }

    /** The account {@code name} if {@code caller} manages it ({@link Delegation#managed}). */
    protected Account managed(Account caller, String name) {
        return Delegation.managed(caller, name, accounts.find(name));
    }

    /**
     * Who did it, for what a command records (a list entry's creator, a restore's operator): the
     * account's name, or {@value #LOCAL_CONSOLE} for the local console, which has no account
     * (its Karaf user name, {@code karaf}, names nobody an admin knows).
     */
    protected String author() {
        return caller().map(Account::name).orElse(LOCAL_CONSOLE);
    }

    public static final String LOCAL_CONSOLE = "local-console";

    /** The caller's account; empty for the local console. */
    protected Optional<Account> caller() {
        return ShellAccess.account(accounts, user());
    }

    /**
     * Who a command acts as where a service checks rights and scopes itself: the caller's account,
     * or for the local console (an admin's, without an account) an admin named {@value #LOCAL_CONSOLE}.
     */
    protected Account actingAccount() {
        return caller().orElseGet(() -> new Account(LOCAL_CONSOLE, org.portcullis.auth.Role.ADMIN, new java.util.TreeSet<>(),
                java.util.Set.of(), java.time.Instant.EPOCH));
    }
}
