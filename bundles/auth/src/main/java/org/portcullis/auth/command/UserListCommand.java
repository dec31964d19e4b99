package org.portcullis.auth.command;

import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.table.ShellTable;
import org.portcullis.auth.Account;
import org.portcullis.auth.Accounts;
import org.portcullis.auth.Right;
import org.portcullis.auth.Role;

@Command(scope = "auth", name = "user-list", description = "Lists the accounts with their role, scope and rights")
@Service
public class UserListCommand implements Action {

    @Reference
    Accounts accounts;

    @Reference
    Session session;

    @Override
    public Object execute() {
        Caller.require(session, accounts, Right.ACCOUNTS);
        ShellTable table = new ShellTable();
        table.column("Name");
        table.column("Role");
        table.column("Scope");
        table.column("Rights");
        table.column("Created");
        for (Account a : accounts.list()) {
            table.addRow().addContent(a.name(), a.role().id(), String.join(", ", a.scopes()),
                    a.role() == Role.ADMIN ? "all" : a.rights().stream().map(Right::id).sorted().collect(Collectors.joining(", ")),
                    a.created().toString());
        }
        table.print(System.out);
        return null;
    }
}
