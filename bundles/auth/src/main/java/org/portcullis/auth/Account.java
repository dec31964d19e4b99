package org.portcullis.auth;

import java.time.Instant;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * An account as others may see it: never its password or hash.
 *
 * @param name the login name (lower case)
 * @param role what the account is
 * @param scopes the domains of a domain-admin, or the addresses of a user; empty for an admin
 * @param rights every right the account holds now (its own grants, its role's, or all for an admin)
 * @param created when the account was made
 */
public record Account(String name, Role role, SortedSet<String> scopes, Set<Right> rights, Instant created) {

    public Account {
        scopes = new TreeSet<>(scopes);
        rights = Set.copyOf(rights);
    }

    public boolean has(Right right) {
        return role == Role.ADMIN || rights.contains(right);
    }

    /**
     * Whether this account may act on {@code address} (an email address or a bare domain): an
     * admin anywhere, a domain-admin in its domains and their subdomains, a user on its own
     * addresses.
     */
    public boolean covers(String address) {
        String a = address.toLowerCase(java.util.Locale.ROOT);
        switch (role) {
            case ADMIN:
                return true;
            case DOMAIN_ADMIN:
                String domain = a.substring(a.lastIndexOf('@') + 1);
                return scopes.stream().anyMatch(d -> domain.equals(d) || domain.endsWith("." + d));
            default:
                return scopes.contains(a);
        }
    }
}
