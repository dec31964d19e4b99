package org.portcullis.auth.command;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.portcullis.auth.Accounts;
import org.portcullis.auth.Right;

@Command(scope = "auth", name = "grant", description = "Grants a right to an account, or to every account of a role")
@Service
public class GrantCommand implements Action {

    @Argument(index = 0, name = "subject", description = "An account name, or role:domain-admin / role:user", required = true)
    String subject;

    @Argument(index = 1, name = "right", required = true)
    @Completion(value = StringsCompleter.class, values = {"lists-manage", "quarantine-release", "virus-release", "sandbox-release",
        "backup", "update", "cluster", "accounts"})
    String right;

    @Reference
    Accounts accounts;

    @Reference
    Session session;

    @Override
    public Object execute() {
        Caller.require(session, accounts, Right.ACCOUNTS);
        Right r = Right.parse(right);
        accounts.grant(subject, r);
        System.out.println("Granted '" + r.id() + "' to " + subject);
        return null;
    }
}
