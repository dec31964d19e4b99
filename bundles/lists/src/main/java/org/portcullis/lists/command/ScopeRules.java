package org.portcullis.lists.command;

import org.portcullis.auth.Account;
import org.portcullis.auth.Role;
import org.portcullis.lists.Scope;

/**
 * Who may touch which list: an admin every list; a domain-admin the lists of its domains and
 * of users in them; a user only its own address's list. Nobody but an admin touches the global list.
 */
public final class ScopeRules {

    private ScopeRules() {
    }

    public static boolean covers(Account a, Scope scope) {
        if (a.role() == Role.ADMIN) {
            return true;
        }
        return switch (scope.kind()) {
            case GLOBAL -> false;
            case DOMAIN -> a.role() == Role.DOMAIN_ADMIN && a.covers("x@" + scope.value());
            case USER -> a.covers(scope.value());
        };
    }
}
