package org.portcullis.auth.command;

import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.portcullis.auth.shell.AccountCommand;
import org.portcullis.auth.Account;
import org.portcullis.auth.Right;
import org.portcullis.auth.Role;

@Command(scope = "auth", name = "user-list", description = "Lists the accounts with their role, scope and rights")
@Service
public class UserListCommand extends AccountCommand {

    @Override
    protected Right required() {
        return Right.ACCOUNTS;
    }

    @Override
    protected void run() {
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
    }
}
