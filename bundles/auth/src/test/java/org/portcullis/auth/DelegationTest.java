package org.portcullis.auth;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/** The rule that no right lets its holder gain a right, a scope or another's secret. */
class DelegationTest {

    private static final Account ADMIN = account("root", Role.ADMIN, Set.of(), EnumSet.allOf(Right.class));
    private static final Account DOM = account("dom", Role.DOMAIN_ADMIN, Set.of("example.com"), EnumSet.of(Right.ACCOUNTS, Right.LISTS_MANAGE));
    private static final Account USER = account("ann", Role.USER, Set.of("ann@example.com", "sales@example.com"), EnumSet.of(Right.ACCOUNTS));

    @Test
    void onlyAnAdminMakesOrTouchesAnAdmin() {
        assertForbidden(() -> Delegation.requireAssign(DOM, Role.ADMIN, Set.of()), "cannot make an account admin");
        assertForbidden(() -> Delegation.requireAssign(USER, Role.ADMIN, Set.of()), "cannot make an account admin");
        assertFalse(Delegation.manages(DOM, ADMIN));
        assertFalse(Delegation.manages(USER, ADMIN));
        assertDoesNotThrow(() -> Delegation.requireAssign(ADMIN, Role.ADMIN, Set.of()));
        assertTrue(Delegation.manages(ADMIN, DOM));
    }

    @Test
    void aDomainAdminStaysInsideItsDomainsAndItsRole() {
        assertDoesNotThrow(() -> Delegation.requireAssign(DOM, Role.USER, Set.of("bob@example.com")));
        assertDoesNotThrow(() -> Delegation.requireAssign(DOM, Role.DOMAIN_ADMIN, Set.of("sales.example.com")));
        assertForbidden(() -> Delegation.requireAssign(DOM, Role.USER, Set.of("bob@example.org")), "outside your domain-admin scope");
        assertForbidden(() -> Delegation.requireAssign(DOM, Role.DOMAIN_ADMIN, Set.of("example.com", "other.example")), "outside");
        assertForbidden(() -> Delegation.requireAssign(DOM, Role.USER, Set.of("bob@notexample.com")), "outside");
        assertTrue(Delegation.manages(DOM, account("bob", Role.USER, Set.of("bob@sales.example.com"), EnumSet.noneOf(Right.class))));
        assertFalse(Delegation.manages(DOM, account("eve", Role.USER, Set.of("eve@example.org"), EnumSet.noneOf(Right.class))));
    }

    @Test
    void aUserMakesOnlyUsersOfItsOwnAddresses() {
        assertDoesNotThrow(() -> Delegation.requireAssign(USER, Role.USER, Set.of("sales@example.com")));
        assertForbidden(() -> Delegation.requireAssign(USER, Role.DOMAIN_ADMIN, Set.of("example.com")), "cannot make an account domain-admin");
        assertForbidden(() -> Delegation.requireAssign(USER, Role.USER, Set.of("bob@example.com")), "outside");
    }

    @Test
    void anAccountWithARightTheCallerLacksIsNotTheCallersToTakeOver() {
        Account peer = account("peer", Role.DOMAIN_ADMIN, Set.of("example.com"), EnumSet.of(Right.BACKUP));
        assertFalse(Delegation.manages(DOM, peer), "resetting its password would give dom the right 'backup'");
        Account smaller = account("peer2", Role.DOMAIN_ADMIN, Set.of("example.com"), EnumSet.of(Right.LISTS_MANAGE));
        assertTrue(Delegation.manages(DOM, smaller));
    }

    @Test
    void grantsAreLimitedToRightsTheCallerHoldsOnAccountsItManages() {
        Account bob = account("bob", Role.USER, Set.of("bob@example.com"), EnumSet.noneOf(Right.class));
        assertDoesNotThrow(() -> Delegation.requireGrant(DOM, "bob", bob, Right.LISTS_MANAGE));
        assertForbidden(() -> Delegation.requireGrant(DOM, "bob", bob, Right.BACKUP), "do not hold the right 'backup'");
        assertForbidden(() -> Delegation.requireGrant(DOM, "role:user", null, Right.LISTS_MANAGE), "only an admin");
        Account eve = account("eve", Role.USER, Set.of("eve@example.org"), EnumSet.noneOf(Right.class));
        assertForbidden(() -> Delegation.requireGrant(DOM, "eve", eve, Right.LISTS_MANAGE), "not one you manage");
        assertDoesNotThrow(() -> Delegation.requireGrant(ADMIN, "role:user", null, Right.BACKUP));
    }

    @Test
    void anUnknownAccountAndOneOutsideTheScopeAreRefusedAlike() {
        Account eve = account("eve", Role.USER, Set.of("eve@example.org"), EnumSet.noneOf(Right.class));
        AuthException outside = assertThrows(AuthException.class, () -> Delegation.managed(DOM, "eve", Optional.of(eve)));
        AuthException unknown = assertThrows(AuthException.class, () -> Delegation.managed(DOM, "ghost", Optional.empty()));
        assertEquals(AuthException.Code.FORBIDDEN, outside.code());
        assertEquals(outside.getMessage().replace("eve", "ghost"), unknown.getMessage());
        assertEquals(AuthException.Code.NOT_FOUND, assertThrows(AuthException.class,
                () -> Delegation.managed(ADMIN, "ghost", Optional.empty())).code(), "an admin may know an account does not exist");
    }

    private static void assertForbidden(org.junit.jupiter.api.function.Executable call, String messagePart) {
        AuthException e = assertThrows(AuthException.class, call);
        assertEquals(AuthException.Code.FORBIDDEN, e.code());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }

    private static Account account(String name, Role role, Set<String> scopes, Set<Right> rights) {
        return new Account(name, role, new TreeSet<>(scopes), rights, Instant.EPOCH);
    }
}
