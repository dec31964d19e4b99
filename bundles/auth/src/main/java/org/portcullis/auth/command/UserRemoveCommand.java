package org.portcullis.auth.command;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.auth.shell.AccountCommand;
import org.portcullis.auth.Right;

@Command(scope = "auth", name = "user-remove", description = "Removes an account (never the last admin)")
@Service
public class UserRemoveCommand extends AccountCommand {

    @Completion(AccountNameCompleter.class)
    @Argument(index = 0, name = "name", required = true)
    String name;

    @Override
    protected Right required() {
        return Right.ACCOUNTS;
    }

    @Override
    protected void run() {
        caller().ifPresent(c -> managed(c, name));
        accounts.remove(name);
        System.out.println("Account '" + name + "' removed");
    }
}
