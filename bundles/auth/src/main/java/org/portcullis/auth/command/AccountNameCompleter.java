package org.portcullis.auth.command;

import java.util.ArrayList;
import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.portcullis.auth.Account;
import org.portcullis.auth.Accounts;
import org.portcullis.auth.Role;

/** Completes account names; for grants also the roles ({@code role:domain-admin}, {@code role:user}). */
@Service
public class AccountNameCompleter implements Completer {

    @Reference
    Accounts accounts;

    /** Whether role subjects are offered too (subclass for {@code auth:grant}/{@code auth:revoke}). */
    protected boolean roles() {
        return false;
    }

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter names = new StringsCompleter();
        try {
            names.getStrings().addAll(candidates(accounts, roles()));
        } catch (RuntimeException e) {
            return -1; // the store is down: nothing to offer
        }
        return names.complete(session, commandLine, candidates);
    }

    /** The account names, sorted, and with {@code roles} the role subjects below admin. */
    static List<String> candidates(Accounts accounts, boolean roles) {
        List<String> out = new ArrayList<>();
        for (Account a : accounts.list()) {
            out.add(a.name());
        }
        java.util.Collections.sort(out);
        if (roles) {
            for (Role r : Role.values()) {
                if (r != Role.ADMIN) {
                    out.add("role:" + r.id());
                }
            }
        }
        return out;
    }

    /** Account names and role subjects, for {@code auth:grant} and {@code auth:revoke}. */
    @Service
    public static class WithRoles extends AccountNameCompleter {
        @Override
        protected boolean roles() {
            return true;
        }
    }
}
