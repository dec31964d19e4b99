package org.portcullis.auth.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.portcullis.auth.Account;
import org.portcullis.auth.Accounts;
import org.portcullis.auth.Role;

/** Completion offers the accounts there are, sorted, and for grants the roles below admin. */
class AccountNameCompleterTest {

    /** A test double answering list() only. */
    private static Accounts listing(String... names) {
        return (Accounts) Proxy.newProxyInstance(Accounts.class.getClassLoader(), new Class<?>[] {Accounts.class}, (proxy, method, args) -> {
            if (!method.getName().equals("list")) {
                throw new UnsupportedOperationException("this test double answers list() only, not " + method.getName());
            }
            return java.util.Arrays.stream(names).map(n -> new Account(n, Role.USER, new TreeSet<>(Set.of(n + "@x.example")), Set.of(),
                    Instant.EPOCH)).toList();
        });
    }

    @Test
    void accountsSortedAndRolesOnlyForGrants() {
        Accounts accounts = listing("zoe", "admin", "bob");
        assertEquals(List.of("admin", "bob", "zoe"), AccountNameCompleter.candidates(accounts, false));
        assertEquals(List.of("admin", "bob", "zoe", "role:domain-admin", "role:user"), AccountNameCompleter.candidates(accounts, true));
    }
}
