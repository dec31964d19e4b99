package org.portcullis.auth.command;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.auth.Right;

@Command(scope = "auth", name = "grant", description = "Grants a right to an account, or to every account of a role")
@Service
public class GrantCommand extends RightCommand {

    @Override
    protected void run() {
        Right r = checkedRight();
        accounts.grant(subject, r);
        System.out.println("Granted '" + r.id() + "' to " + subject);
    }
}
