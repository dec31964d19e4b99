package org.portcullis.auth;

import java.util.Locale;
import java.util.Set;

/**
 * Who may act on which account. One rule, checked wherever accounts are managed (REST, shell,
 * web console): <em>no right lets its holder gain a right or a scope it does not have, or read
 * a secret</em>. So the right {@code accounts} lets a non-admin manage only accounts that are
 * "smaller" than itself:
 * <ul>
 * <li>an admin manages every account;</li>
 * <li>nobody else touches an admin, or creates one;</li>
 * <li>a domain-admin manages domain-admins and users whose every scope lies in its own domains
 * (or their subdomains) and who hold no right it lacks itself; a user manages only users whose
 * addresses are all among its own and who hold no right it lacks;</li>
 * <li>grants and revokes: a non-admin grants or takes back only rights it holds, to accounts it
 * manages, never to a whole role.</li>
 * </ul>
 * Taking over a managed account (by setting its password) therefore never yields more than the
 * caller already has.
 */
public final class Delegation {

    private Delegation() {
    }

    /** Whether {@code caller} may see, change, reset the password of, or remove {@code target}. */
    public static boolean manages(Account caller, Account target) {
        if (caller.role() == Role.ADMIN) {
            return true;
        }
        return target.role() != Role.ADMIN && rank(target.role()) <= rank(caller.role()) && within(caller, target.scopes())
                && caller.rights().containsAll(target.rights());
    }

    /**
     * @throws AuthException (forbidden) unless {@code caller} may give an account {@code role}
     *         and {@code scopes}: a role no higher than its own, scopes inside its own
     */
    public static void requireAssign(Account caller, Role role, Set<String> scopes) {
        if (caller.role() == Role.ADMIN) {
            return;
        }
        if (role == Role.ADMIN || rank(role) > rank(caller.role())) {
            throw forbidden("a " + caller.role().id() + " cannot make an account " + role.id());
        }
        if (!within(caller, scopes)) {
            throw forbidden("scope " + scopes + " is outside your " + caller.role().id() + " scope " + caller.scopes());
        }
    }

    /** @throws AuthException (forbidden) unless {@code caller} manages {@code target} */
    public static void requireManage(Account caller, Account target) {
        if (!manages(caller, target)) {
            throw outside(target.name());
        }
    }

    /**
     * @param subject an account name or {@code role:<role>}
     * @throws AuthException (forbidden) unless {@code caller} may grant or revoke {@code right}
     *         on {@code subject} (whose account, when it names one, is {@code target})
     */
    public static void requireGrant(Account caller, String subject, Account target, Right right) {
        if (caller.role() == Role.ADMIN) {
            return;
        }
        if (subject.startsWith("role:")) {
            throw forbidden("only an admin grants or revokes rights of a whole role");
        }
        if (!caller.has(right)) {
            throw forbidden("you do not hold the right '" + right.id() + "' yourself");
        }
        requireManage(caller, target);
    }

    /**
     * {@code found} (the account named {@code name}, looked up) if {@code caller} manages it. An
     * admin is told an unknown name is unknown (not found); anyone else gets the same refusal for
     * an account outside its reach and for one that does not exist, so nothing is revealed.
     */
    public static Account managed(Account caller, String name, java.util.Optional<Account> found) {
        if (found.isEmpty() && caller.role() == Role.ADMIN) {
            throw new AuthException(AuthException.Code.NOT_FOUND, "no account '" + name + "'");
        }
        if (found.isEmpty() || !manages(caller, found.get())) {
            throw outside(name);
        }
        return found.get();
    }

    /** The refusal for an account the caller does not manage, the same whether it exists or not. */
    public static AuthException outside(String name) {
        return forbidden("account '" + name.toLowerCase(Locale.ROOT) + "' is not one you manage");
    }

    private static boolean within(Account caller, Set<String> scopes) {
        return !scopes.isEmpty() && scopes.stream().allMatch(s -> caller.covers(s.strip().toLowerCase(Locale.ROOT)));
    }

    private static int rank(Role role) {
        return switch (role) {
            case ADMIN -> 2;
            case DOMAIN_ADMIN -> 1;
            case USER -> 0;
        };
    }

    private static AuthException forbidden(String message) {
        return new AuthException(AuthException.Code.FORBIDDEN, message);
    }
}
