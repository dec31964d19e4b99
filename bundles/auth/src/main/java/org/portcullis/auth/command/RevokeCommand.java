package org.portcullis.auth.command;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.auth.Right;

@Command(scope = "auth", name = "revoke", description = "Takes a right back from an account or a role")
@Service
public class RevokeCommand extends RightCommand {

    @Override
    protected void run() {
        Right r = checkedRight();
        accounts.revoke(subject, r);
        System.out.println("Revoked '" + r.id() + "' from " + subject);
    }
}
