package org.portcullis.auth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.portcullis.auth.Account;
import org.portcullis.auth.AuthException;
import org.portcullis.auth.LoginFailedException;
import org.portcullis.auth.Right;
import org.portcullis.auth.Role;
import org.portcullis.auth.shell.AccountCommand;
import org.portcullis.auth.shell.ShellAccess;

/** The account store against a real PostgreSQL, with the bundle's own migration. */
class AccountStoreTest {

    private static final char[] GOOD = "river-stone-lamp-42".toCharArray();

    private DataSource ds;
    private final TestClock clock = new TestClock();
    /** Cheap Argon2 parameters: these tests are about the store, {@link PasswordHasherTest} about the hash. */
    private final PasswordHasher hasher = new PasswordHasher(1024, 1, 1);
    private AccountStore store;

    @BeforeEach
    void freshSchema() throws Exception {
        ds = AuthSchema.fresh();
        store = node();
    }

    /** A store as another node sharing the database would have it (its own hashing slots; the lockout counts are the database's). */
    private AccountStore node() {
        return new AccountStore(ds, hasher, new PasswordPolicy(12), new LoginGuard(ds, 3, 5, Duration.ofSeconds(60), 4, clock));
    }

    @Test
    void theTableHoldsOnlyArgon2idHashes() throws Exception {
        store.create("alice", Role.ADMIN, Set.of(), GOOD);
        store.create("bob", Role.USER, Set.of("bob@example.com"), "another-long-secret".toCharArray());
        List<String> stored = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT * FROM auth.accounts")) {
            while (rs.next()) {
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    stored.add(String.valueOf(rs.getObject(i)));
                }
            }
        }
        assertTrue(stored.stream().noneMatch(v -> v.contains("river-stone") || v.contains("another-long")), stored.toString());
        assertEquals(2, stored.stream().filter(v -> v.startsWith("$argon2id$v=19$")).count(), stored.toString());
    }

    @Test
    void createFindListWithRolesAndScopes() {
        store.create("Alice", Role.ADMIN, Set.of(), GOOD);
        store.create("dom", Role.DOMAIN_ADMIN, Set.of("Example.COM"), GOOD);
        Account dom = store.find("DOM").orElseThrow();
        assertEquals("dom", dom.name());
        assertEquals(Set.of("example.com"), dom.scopes());
        assertTrue(dom.covers("ceo@sales.example.com"));
        assertFalse(dom.covers("ceo@example.org"));
        assertEquals(List.of("alice", "dom"), store.list().stream().map(Account::name).toList());
        assertTrue(store.find("alice").orElseThrow().has(Right.BACKUP), "an admin holds every right");
    }

    @Test
    void badInputIsRefusedNamingTheFieldAndNothingIsStored() {
        AuthException weak = assertThrows(AuthException.class, () -> store.create("carol", Role.ADMIN, Set.of(), "short".toCharArray()));
        assertEquals(AuthException.Code.WEAK_PASSWORD, weak.code());
        assertEquals("Password refused: it must be at least 12 characters long (it has 5)", weak.getMessage());
        assertEquals("Password refused: it must not contain the account name",
                assertThrows(AuthException.class, () -> store.create("carol", Role.ADMIN, Set.of(), "xx-Carol-2026-yy".toCharArray()))
                        .getMessage());
        assertEquals("Password refused: it must contain at least 5 different characters",
                assertThrows(AuthException.class, () -> store.create("carol", Role.ADMIN, Set.of(), "abababababababab".toCharArray()))
                        .getMessage());
        AuthException name = assertThrows(AuthException.class, () -> store.create("bad name!", Role.ADMIN, Set.of(), GOOD));
        assertTrue(name.getMessage().startsWith("invalid account name 'bad name!'"), name.getMessage());
        assertEquals("invalid scope 'not a domain': a domain-admin's scope is a domain",
                assertThrows(AuthException.class, () -> store.create("d", Role.DOMAIN_ADMIN, Set.of("not a domain"), GOOD)).getMessage());
        assertEquals("a user needs at least one email address as its scope",
                assertThrows(AuthException.class, () -> store.create("u", Role.USER, Set.of(), GOOD)).getMessage());
        assertTrue(assertThrows(AuthException.class, () -> Role.parse("root")).getMessage().startsWith("unknown role 'root'"));
        assertTrue(store.list().isEmpty(), "nothing half-created");

        store.create("carol", Role.ADMIN, Set.of(), GOOD);
        AuthException dup = assertThrows(AuthException.class, () -> store.create("CAROL", Role.ADMIN, Set.of(), GOOD));
        assertEquals(AuthException.Code.DUPLICATE, dup.code());
        assertEquals("account 'carol' already exists", dup.getMessage());
    }

    @Test
    void authenticationFailsAlikeForAWrongPasswordAndAnUnknownAccount() throws Exception {
        store.create("alice", Role.ADMIN, Set.of(), GOOD);
        assertEquals("alice", store.authenticate("ALICE", GOOD, "192.0.2.1").name());
        LoginFailedException wrong = assertThrows(LoginFailedException.class,
                () -> store.authenticate("alice", "wrong-password-1".toCharArray(), "192.0.2.1"));
        LoginFailedException unknown = assertThrows(LoginFailedException.class,
                () -> store.authenticate("mallory", "wrong-password-1".toCharArray(), "192.0.2.2"));
        assertEquals(wrong.getMessage(), unknown.getMessage());
        assertEquals(wrong.retryAfter(), unknown.retryAfter());
    }

    @Test
    void repeatedFailuresHoldTheAccountBackAtThatAddressOnlyThenRelease() throws Exception {
        store.create("alice", Role.ADMIN, Set.of(), GOOD);
        for (int i = 0; i < 3; i++) {
            assertThrows(LoginFailedException.class, () -> store.authenticate("alice", "not-the-password".toCharArray(), "198.51.100.7"));
        }
        LoginFailedException locked = assertThrows(LoginFailedException.class, () -> store.authenticate("alice", GOOD, "198.51.100.7"));
        assertEquals(Duration.ofSeconds(1), locked.retryAfter(), "even the right password fails there while held back");
        assertEquals("alice", store.authenticate("alice", GOOD, "203.0.113.9").name(), "a bad source does not lock the account elsewhere");
        clock.advance(Duration.ofSeconds(1));
        assertEquals("alice", store.authenticate("alice", GOOD, "198.51.100.7").name(), "released after the back-off");
    }

    @Test
    void repeatedFailuresFromOneAddressHoldThatAddressBackWhateverTheNames() throws Exception {
        store.create("alice", Role.ADMIN, Set.of(), GOOD);
        for (String name : List.of("root", "admin", "test", "oracle", "guest")) {
            assertThrows(LoginFailedException.class, () -> store.authenticate(name, "guess-guess-guess".toCharArray(), "192.0.2.66"));
        }
        assertThrows(LoginFailedException.class, () -> store.authenticate("alice", GOOD, "192.0.2.66"));
        assertEquals("alice", store.authenticate("alice", GOOD, "192.0.2.1").name(), "other addresses are not affected");
    }

    @Test
    void aPasswordChangeEndsEverySessionOfThatAccountOnly() {
        store.create("alice", Role.ADMIN, Set.of(), GOOD);
        store.create("bob", Role.USER, Set.of("bob@example.com"), "another-long-secret".toCharArray());
        String first = store.issueToken("alice", Duration.ofHours(1)).value();
        String second = store.issueToken("alice", Duration.ofHours(1)).value();
        String bobs = store.issueToken("bob", Duration.ofHours(1)).value();
        assertTrue(store.resolveToken(first).isPresent());
        store.changePassword("alice", "a-brand-new-secret".toCharArray());
        assertTrue(store.resolveToken(first).isEmpty(), "a token from before the change is dead");
        assertTrue(store.resolveToken(second).isEmpty());
        assertEquals("bob", store.resolveToken(bobs).orElseThrow().name(), "other accounts keep their sessions");
    }

    @Test
    void aPasswordChangeHoldsAtOnceOnAnotherNode() throws Exception {
        store.create("alice", Role.ADMIN, Set.of(), GOOD);
        AccountStore other = node();
        assertEquals("alice", other.authenticate("alice", GOOD, null).name());
        store.changePassword("alice", "a-brand-new-secret".toCharArray());
        assertEquals("alice", other.authenticate("alice", "a-brand-new-secret".toCharArray(), null).name());
        assertThrows(LoginFailedException.class, () -> other.authenticate("alice", GOOD, null));
        assertEquals(AuthException.Code.WEAK_PASSWORD,
                assertThrows(AuthException.class, () -> store.changePassword("alice", "tiny".toCharArray())).code());
        assertEquals(AuthException.Code.NOT_FOUND,
                assertThrows(AuthException.class, () -> store.changePassword("nobody", GOOD)).code());
    }

    @Test
    void rightsComeFromTheAccountAndItsRoleAndGoWithTheAccount() {
        store.create("alice", Role.ADMIN, Set.of(), GOOD);
        store.create("dom", Role.DOMAIN_ADMIN, Set.of("example.com"), GOOD);
        store.create("user", Role.USER, Set.of("user@example.com"), GOOD);
        store.grant("role:domain-admin", Right.LISTS_MANAGE);
        store.grant("dom", Right.QUARANTINE_RELEASE);
        store.grant("dom", Right.QUARANTINE_RELEASE); // twice: still one grant
        assertEquals(EnumSet.of(Right.LISTS_MANAGE, Right.QUARANTINE_RELEASE), store.find("dom").orElseThrow().rights());
        assertEquals(Set.of(), store.find("user").orElseThrow().rights());
        store.revoke("role:domain-admin", Right.LISTS_MANAGE);
        assertFalse(store.find("dom").orElseThrow().has(Right.LISTS_MANAGE));
        assertEquals(AuthException.Code.INVALID, assertThrows(AuthException.class, () -> store.grant("alice", Right.BACKUP)).code());
        assertEquals(AuthException.Code.NOT_FOUND, assertThrows(AuthException.class, () -> store.grant("ghost", Right.BACKUP)).code());

        store.remove("dom");
        store.create("dom", Role.DOMAIN_ADMIN, Set.of("example.com"), GOOD);
        assertEquals(Set.of(), store.find("dom").orElseThrow().rights(), "a removed account's grants went with it");
    }

    @Test
    void theLastAdminCannotBeRemoved() {
        store.create("alice", Role.ADMIN, Set.of(), GOOD);
        AuthException last = assertThrows(AuthException.class, () -> store.remove("alice"));
        assertEquals(AuthException.Code.LAST_ADMIN, last.code());
        store.create("bob", Role.ADMIN, Set.of(), GOOD);
        store.remove("alice");
        assertEquals(List.of("bob"), store.list().stream().map(Account::name).toList());
    }

    @Test
    void firstBootCreatesOneAdminOnceWithAPrivateGeneratedPassword(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("initial-admin-password");
        String first = InitialAdmin.run(store, "", null, file, new SecureRandom());
        assertTrue(first.startsWith("generated into"), first);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String password = Files.readString(file).strip();
        assertEquals(20, password.length());
        assertEquals("admin", store.authenticate("admin", password.toCharArray(), null).name());
        assertEquals("an admin exists", InitialAdmin.run(node(), "", null, dir.resolve("second"), new SecureRandom()));
        assertFalse(Files.exists(dir.resolve("second")), "the second boot writes no password");
    }

    @Test
    void firstBootTakesAGivenPasswordFromAFileOrTheEnvironmentButNotAWeakOne(@TempDir Path dir) throws Exception {
        Path given = dir.resolve("given");
        Files.writeString(given, "tiny\n");
        AuthException weak = assertThrows(AuthException.class, () -> InitialAdmin.run(store, given.toString(), null, dir.resolve("x"),
                new SecureRandom()));
        assertEquals(AuthException.Code.WEAK_PASSWORD, weak.code());
        assertTrue(store.list().isEmpty());
        String from = InitialAdmin.run(store, "", "environment-secret-9", dir.resolve("y"), new SecureRandom());
        assertEquals("created from the environment variable PORTCULLIS_INITIAL_ADMIN_PASSWORD", from);
        assertEquals("admin", store.authenticate("admin", "environment-secret-9".toCharArray(), null).name());
        assertFalse(Files.exists(dir.resolve("y")));
    }

    @Test
    void aTokenWorksOnEveryNodeUntilRevokedAndIsStoredOnlyAsAHash() throws Exception {
        store.create("alice", Role.ADMIN, Set.of(), GOOD);
        org.portcullis.auth.Token token = store.issueToken("alice", Duration.ofHours(1));
        assertEquals("alice", node().resolveToken(token.value()).orElseThrow().name());
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT token_sha256 FROM auth.tokens")) {
            assertTrue(rs.next());
            assertFalse(rs.getString(1).contains(token.value()));
        }
        assertFalse(token.toString().contains(token.value()), "a token never prints its value");
        assertTrue(store.resolveToken(token.value() + "x").isEmpty());
        node().revokeToken(token.value());
        assertTrue(store.resolveToken(token.value()).isEmpty(), "revoked on one node, gone on all");
        org.portcullis.auth.Token expired = store.issueToken("alice", Duration.ofSeconds(-1));
        assertTrue(store.resolveToken(expired.value()).isEmpty(), "an expired token does not work");
    }

    @Test
    void anAccountChangesRoleAndScopeButTheLastAdminStays() {
        store.create("alice", Role.ADMIN, Set.of(), GOOD);
        store.create("dom", Role.DOMAIN_ADMIN, Set.of("example.com"), GOOD);
        Account user = store.update("DOM", Role.USER, Set.of("dom@example.com"));
        assertEquals(Role.USER, user.role());
        assertEquals(Set.of("dom@example.com"), user.scopes());
        assertEquals(AuthException.Code.LAST_ADMIN,
                assertThrows(AuthException.class, () -> store.update("alice", Role.USER, Set.of("a@example.com"))).code());
        assertEquals(AuthException.Code.INVALID,
                assertThrows(AuthException.class, () -> store.update("dom", Role.DOMAIN_ADMIN, Set.of("not a domain"))).code());
        assertEquals(Set.of("dom@example.com"), store.find("dom").orElseThrow().scopes(), "a refused update changes nothing");
        assertEquals(AuthException.Code.NOT_FOUND,
                assertThrows(AuthException.class, () -> store.update("ghost", Role.USER, Set.of("g@example.com"))).code());
        store.update("dom", Role.ADMIN, Set.of());
        store.update("alice", Role.USER, Set.of("alice@example.com"));
        assertEquals(Role.USER, store.find("alice").orElseThrow().role(), "with another admin, alice may step down");
    }

    @Test
    void theShellRefusesAnAccountNoLongerAdminAtItsNextCommand() {
        store.create("root", Role.ADMIN, Set.of(), GOOD);
        store.create("ops", Role.ADMIN, Set.of(), GOOD);
        assertEquals("ops", ShellAccess.require(store, "ops", Right.LISTS_MANAGE).orElseThrow().name());
        store.update("ops", Role.DOMAIN_ADMIN, Set.of("example.com"));
        store.grant("ops", Right.LISTS_MANAGE);
        AuthException demoted = assertThrows(AuthException.class, () -> ShellAccess.require(store, "ops", Right.LISTS_MANAGE));
        assertEquals("the shell is for admins, and 'ops' is a domain-admin now: use the REST API, and end this session",
                demoted.getMessage());
        assertThrows(AuthException.class, () -> ShellAccess.account(store, "ops"), "commands that check for themselves too");
        store.remove("ops");
        assertEquals("'ops' is not a Portcullis account",
                assertThrows(AuthException.class, () -> ShellAccess.require(store, "ops", Right.LISTS_MANAGE)).getMessage());
        assertTrue(ShellAccess.require(store, System.getProperty("karaf.local.user", "karaf"), Right.LISTS_MANAGE).isEmpty(),
                "the local console has no account and is the machine's admin");
    }

    @Test
    void aCommandRecordsItsAccountAsAuthorAndTheLocalConsoleByThatName() throws Exception {
        store.create("ops", Role.ADMIN, Set.of(), GOOD);
        assertEquals("ops", authorOf("ops"));
        assertEquals("local-console", authorOf(System.getProperty("karaf.local.user", "karaf")), "not Karaf's user name 'karaf'");
    }

    @Test
    void theLocalConsolesNameIsNoAccountAndACommandNeedingNoRightStillNeedsAnAdmin() throws Exception {
        assertEquals("account name 'karaf' is the local console's user name; choose another",
                assertThrows(AuthException.class, () -> store.create("karaf", Role.ADMIN, Set.of(), GOOD)).getMessage());
        store.create("root", Role.ADMIN, Set.of(), GOOD);
        store.create("ops", Role.ADMIN, Set.of(), GOOD);
        assertEquals("ops", run("ops", null));
        store.update("ops", Role.DOMAIN_ADMIN, Set.of("example.com"));
        Exception refused = assertThrows(org.apache.karaf.shell.support.CommandException.class, () -> run("ops", null),
                "mail:log needs no right, but a demoted session is refused");
        assertTrue(refused.getCause() instanceof AuthException, refused.toString());
    }

    /** What a command run by shell user {@code user} records as its author. */
    private String authorOf(String user) throws Exception {
        return run(user, Right.LISTS_MANAGE);
    }

    /** Runs a command needing {@code right} (or none) as shell user {@code user}; returns its author. */
    private String run(String user, Right right) throws Exception {
        String[] seen = new String[1];
        AccountCommand c = new AccountCommand() {
            @Override
            protected Right required() {
                return right;
            }

            @Override
            protected void run() {
                seen[0] = author();
            }
        };
        org.apache.karaf.shell.api.console.Session session = (org.apache.karaf.shell.api.console.Session) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {org.apache.karaf.shell.api.console.Session.class},
                (proxy, method, args) -> method.getName().equals("get") && "USER".equals(args[0]) ? user : null);
        for (String field : new String[] {"accounts", "session"}) {
            java.lang.reflect.Field f = AccountCommand.class.getDeclaredField(field);
            f.setAccessible(true);
            f.set(c, field.equals("accounts") ? store : session);
        }
        c.execute();
        return seen[0];
    }
}
