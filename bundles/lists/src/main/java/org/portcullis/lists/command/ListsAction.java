package org.portcullis.lists.command;

import java.util.Optional;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.portcullis.auth.Account;
import org.portcullis.auth.shell.AccountCommand;
import org.portcullis.auth.Right;
import org.portcullis.lists.ListException;
import org.portcullis.lists.Lists;
import org.portcullis.lists.Scope;

/** What every {@code lists:*} command has: the lists, and the right {@code lists-manage} checked first. */
abstract class ListsAction extends AccountCommand {

    @Reference
    Lists lists;

    @Override
    protected Right required() {
        return Right.LISTS_MANAGE;
    }

    /** @throws ListException unless the caller may touch {@code scope} */
    void requireScope(Scope scope) {
        Optional<Account> a = caller();
        if (a.isPresent() && !ScopeRules.covers(a.get(), scope)) {
            throw new ListException(ListException.Kind.FORBIDDEN, "scope '" + scope + "' is outside your " + a.get().role().id() + " scope "
                    + a.get().scopes());
        }
    }
}
