package org.portcullis.auth.command;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.console.Session;
import org.portcullis.auth.Accounts;
import org.portcullis.auth.Right;

/** What every {@code auth:*} command has: the store, the session, and the right it needs first. */
abstract class AccountsAction implements Action {

    @Reference
    Accounts accounts;

    @Reference
    Session session;

    /** The right the caller must hold, or {@code null} when the command checks for itself. */
    abstract Right required();

    abstract void run() throws Exception;

    @Override
    public final Object execute() throws Exception {
        Right right = required();
        if (right != null) {
            Caller.require(session, accounts, right);
        }
        run();
        return null;
    }
}
