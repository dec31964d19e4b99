package org.portcullis.auth.command;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.portcullis.auth.Accounts;
import org.portcullis.auth.Right;

@Command(scope = "auth", name = "user-remove", description = "Removes an account (never the last admin)")
@Service
public class UserRemoveCommand implements Action {

    @Argument(index = 0, name = "name", required = true)
    String name;

    @Reference
    Accounts accounts;

    @Reference
    Session session;

    @Override
    public Object execute() {
        Caller.require(session, accounts, Right.ACCOUNTS);
        accounts.remove(name);
        System.out.println("Account '" + name + "' removed");
        return null;
    }
}
