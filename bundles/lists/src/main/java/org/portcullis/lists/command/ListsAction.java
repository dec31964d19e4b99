package org.portcullis.lists.command;

import java.util.Optional;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.console.Session;
import org.portcullis.auth.Account;
import org.portcullis.auth.Accounts;
import org.portcullis.auth.Right;
import org.portcullis.auth.ShellAccess;
import org.portcullis.lists.ListException;
import org.portcullis.lists.Lists;
import org.portcullis.lists.Scope;

/**
 * What every {@code lists:*} command has: the lists, and the caller's right {@code lists-manage}
 * checked first. The local console (no account) is the machine's admin.
 */
abstract class ListsAction implements Action {

    @Reference
    Lists lists;

    @Reference
    Accounts accounts;

    @Reference
    Session session;

    abstract void run() throws Exception;

    @Override
    public final Object execute() throws Exception {
        ShellAccess.require(accounts, user(), Right.LISTS_MANAGE);
        run();
        return null;
    }

    /** The caller's name, for the entries it creates. */
    String user() {
        Object user = session.get("USER");
        return user == null ? "shell" : user.toString();
    }

    /** @throws ListException unless the caller may touch {@code scope} */
    void requireScope(Scope scope) {
        Optional<Account> a = caller();
        if (a.isPresent() && !ScopeRules.covers(a.get(), scope)) {
            throw new ListException(ListException.Kind.FORBIDDEN, "scope '" + scope + "' is outside your " + a.get().role().id() + " scope " + a.get().scopes());
        }
    }

    private Optional<Account> caller() {
        return ShellAccess.account(accounts, user());
    }
}
