package org.portcullis.auth.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.annotation.bundle.Header;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import org.portcullis.auth.Account;
import org.portcullis.auth.Accounts;
import org.portcullis.auth.AuthException;
import org.portcullis.auth.AuthException.Code;
import org.portcullis.auth.LoginFailedException;
import org.portcullis.auth.Right;
import org.portcullis.auth.Role;
import org.portcullis.auth.Token;
import org.portcullis.storage.MigrationException;
import org.portcullis.storage.MigrationScripts;
import org.portcullis.storage.SchemaMigrator;
import org.portcullis.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Accounts} on the {@code auth} schema. Every read goes to the database (no cache), so
 * a change made on one node holds on every node at once; every change is one transaction.
 */
@Header(name = MigrationScripts.SCHEMA_HEADER, value = AccountStore.SCHEMA)
@Component(service = Accounts.class, configurationPid = "org.portcullis.auth")
@Designate(ocd = AuthConfig.class)
public class AccountStore implements Accounts {

    /** The schema this bundle owns (and names in its manifest, for updates). */
    static final String SCHEMA = "auth";

    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._@-]{0,63}");
    static final Pattern DOMAIN = Pattern.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,62}");
    static final Pattern ADDRESS = Pattern.compile("[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@" + DOMAIN.pattern().replace("(?=.{1,253}$)", ""));
    private static final String UNIQUE_VIOLATION = "23505";
    private static final Logger LOG = LoggerFactory.getLogger(AccountStore.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    @Reference(target = Storage.DATA_SOURCE_FILTER)
    private DataSource ds;
    @Reference
    private SchemaMigrator migrator;
    private PasswordHasher hasher;
    private PasswordPolicy policy;
    private LoginGuard guard;

    /** For Declarative Services. */
    public AccountStore() {
    }

    /** For tests and plain Java: a store on a database whose {@code auth} schema is migrated. */
    AccountStore(DataSource ds, PasswordHasher hasher, PasswordPolicy policy, LoginGuard guard) {
        this.ds = ds;
        this.hasher = hasher;
        this.policy = policy;
        this.guard = guard;
    }

    @Activate
    void activate(BundleContext context, AuthConfig config) throws MigrationException {
        migrator.migrate(SCHEMA, MigrationScripts.fromBundle(context.getBundle(), MigrationScripts.FOLDER));
        hasher = PasswordHasher.defaults();
        policy = new PasswordPolicy(config.password_min_length());
        guard = new LoginGuard(ds, config.lockout_threshold(), config.lockout_source_threshold(), Duration.ofSeconds(config.lockout_max_seconds()),
                config.login_concurrent_checks(), Clock.systemUTC());
        InitialAdmin.ensure(this, config);
    }

    /**
     * Creates the first admin when there is no admin at all. One node does it even when several
     * boot at once on one database (a transaction-scoped advisory lock).
     *
     * @return whether this call created it
     */
    boolean createAdminIfNone(String name, char[] password) {
        String n = name(name);
        policy.check(n, password);
        String hash = guard.hashing(() -> hasher.hash(password));
        return inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext('portcullis.auth.first-admin'))")) {
                st.execute();
            }
            if (hasAdmin(c)) {
                return false;
            }
            update(c, "INSERT INTO auth.accounts (name, role, password_hash) VALUES (?, 'admin', ?)", n, hash);
            return true;
        });
    }

    @Override
    public Account create(String name, Role role, Set<String> scopes, char[] password) {
        String n = name(name);
        if (n.equals(System.getProperty("karaf.local.user", "karaf"))) {
            // the shell tells the local console by this user name: an account of that name would pass for it
            throw new AuthException(Code.INVALID, "account name '" + n + "' is the local console's user name; choose another");
        }
        Set<String> s = scopes(role, scopes);
        policy.check(n, password);
        String hash = guard.hashing(() -> hasher.hash(password));
        return inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("INSERT INTO auth.accounts (name, role, password_hash) VALUES (?, ?, ?)")) {
                st.setString(1, n);
                st.setString(2, role.id());
                st.setString(3, hash);
                st.executeUpdate();
            } catch (SQLException e) {
                if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw new AuthException(Code.DUPLICATE, "account '" + n + "' already exists");
                }
                throw e;
            }
            try (PreparedStatement st = c.prepareStatement("INSERT INTO auth.account_scopes (account, scope) VALUES (?, ?)")) {
                for (String scope : s) {
                    st.setString(1, n);
                    st.setString(2, scope);
                    st.addBatch();
                }
                st.executeBatch();
            }
            return load(c, n).orElseThrow();
        });
    }

    @Override
    public List<Account> list() {
        return inTransaction(c -> {
            List<Account> all = new ArrayList<>();
            for (String n : names(c)) {
                load(c, n).ifPresent(all::add);
            }
            return all;
        });
    }

    @Override
    public Optional<Account> find(String name) {
        if (name == null || !NAME.matcher(name.toLowerCase(Locale.ROOT)).matches()) {
            return Optional.empty();
        }
        return inTransaction(c -> load(c, name.toLowerCase(Locale.ROOT)));
    }

    @Override
    public void remove(String name) {
        String n = name(name);
        inTransaction(c -> {
            if (lockAdmins(c).equals(List.of(n))) {
                throw new AuthException(Code.LAST_ADMIN, "account '" + n + "' is the last admin; create another admin first");
            }
            update(c, "DELETE FROM auth.grants WHERE subject = ?", "account:" + n);
            if (update(c, "DELETE FROM auth.accounts WHERE name = ?", n) == 0) {
                throw notFound(n);
            }
            return null;
        });
        LOG.info("Account '{}' removed", n);
    }

    @Override
    public Account update(String name, Role role, Set<String> scopes) {
        String n = name(name);
        Set<String> s = scopes(role, scopes);
        Account updated = inTransaction(c -> {
            List<String> admins = lockAdmins(c);
            if (role != Role.ADMIN && admins.equals(List.of(n))) {
                throw new AuthException(Code.LAST_ADMIN, "account '" + n + "' is the last admin; make another admin first");
            }
            if (update(c, "UPDATE auth.accounts SET role = ? WHERE name = ?", role.id(), n) == 0) {
                throw notFound(n);
            }
            update(c, "DELETE FROM auth.account_scopes WHERE account = ?", n);
            for (String scope : s) {
                update(c, "INSERT INTO auth.account_scopes (account, scope) VALUES (?, ?)", n, scope);
            }
            return load(c, n).orElseThrow();
        });
        LOG.info("Account '{}' is now {} {}", n, role.id(), s);
        return updated;
    }

    @Override
    public void changePassword(String name, char[] newPassword) {
        String n = name(name);
        policy.check(n, newPassword);
        String hash = guard.hashing(() -> hasher.hash(newPassword));
        int sessions = inTransaction(c -> {
            if (update(c, "UPDATE auth.accounts SET password_hash = ?, password_changed = now() WHERE name = ?", hash, n) == 0) {
                throw notFound(n);
            }
            return update(c, "DELETE FROM auth.tokens WHERE account = ?", n);
        });
        LOG.info("Password of account '{}' changed; {} session(s) ended", n, sessions);
    }

    @Override
    public void grant(String subject, Right right) {
        String s = subject(subject);
        inTransaction(c -> update(c, "INSERT INTO auth.grants (subject, right_name) VALUES (?, ?) ON CONFLICT DO NOTHING", s, right.id()));
        LOG.info("Right '{}' granted to {}", right.id(), s);
    }

    @Override
    public void revoke(String subject, Right right) {
        String s = subject(subject);
        inTransaction(c -> update(c, "DELETE FROM auth.grants WHERE subject = ? AND right_name = ?", s, right.id()));
        LOG.info("Right '{}' revoked from {}", right.id(), s);
    }

    @Override
    public Set<Right> grants(String subject) {
        String s = subject(subject);
        return inTransaction(c -> rightsOf(c, List.of(s)));
    }

    @Override
    public Account authenticate(String name, char[] password, String source) throws LoginFailedException {
        String n = name == null ? "" : name.toLowerCase(Locale.ROOT);
        LoginGuard.Attempt attempt = guard.begin(n, source);
        String stored;
        boolean ok;
        try {
            stored = NAME.matcher(n).matches() ? inTransaction(c -> hashOf(c, n)) : null;
            if (stored == null) {
                hasher.burn(password); // as slow as a real check: the answer's timing tells nothing either
                ok = false;
            } else {
                ok = hasher.verify(password, stored);
            }
        } catch (RuntimeException e) {
            guard.failed(attempt);
            throw e;
        }
        if (!ok) {
            Duration locked = guard.failed(attempt);
            LOG.info("Failed login for '{}' from {}{}", printable(n), source == null ? "an unknown source" : source,
                    locked.isZero() ? "" : "; further attempts from there wait " + Math.max(1, locked.toSeconds()) + " s");
            throw new LoginFailedException(locked);
        }
        guard.succeeded(attempt);
        if (hasher.needsRehash(stored)) {
            String hash = guard.hashing(() -> hasher.hash(password));
            inTransaction(c -> update(c, "UPDATE auth.accounts SET password_hash = ? WHERE name = ? AND password_hash = ?", hash, n,
                    stored));
        }
        return find(n).orElseThrow(() -> new LoginFailedException(Duration.ZERO));
    }

    @Override
    public Token issueToken(String name, Duration ttl) {
        String n = name(name);
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String value = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Instant expires = Instant.now().plus(ttl);
        inTransaction(c -> {
            update(c, "DELETE FROM auth.tokens WHERE expires < now()");
            try (PreparedStatement st = c.prepareStatement("INSERT INTO auth.tokens (token_sha256, account, expires) VALUES (?, ?, ?)")) {
                st.setString(1, sha256(value));
                st.setString(2, n);
                st.setTimestamp(3, Timestamp.from(expires));
                st.executeUpdate();
            }
            return null;
        });
        return new Token(value, expires);
    }

    @Override
    public Optional<Account> resolveToken(String token) {
        if (token == null || token.isEmpty() || token.length() > 128) {
            return Optional.empty();
        }
        return inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT account FROM auth.tokens WHERE token_sha256 = ? AND expires > now()")) {
                st.setString(1, sha256(token));
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? load(c, rs.getString(1)) : Optional.<Account>empty();
                }
            }
        });
    }

    @Override
    public void revokeToken(String token) {
        if (token != null) {
            inTransaction(c -> update(c, "DELETE FROM auth.tokens WHERE token_sha256 = ?", sha256(token)));
        }
    }

    private static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** The admins, their rows locked: two changes at once cannot both take the last admins away. */
    private static List<String> lockAdmins(Connection c) throws SQLException {
        List<String> admins = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT name FROM auth.accounts WHERE role = 'admin' ORDER BY name FOR UPDATE");
                ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                admins.add(rs.getString(1));
            }
        }
        return admins;
    }

    /** Whether any admin account exists. */
    boolean hasAdmin(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT 1 FROM auth.accounts WHERE role = 'admin' LIMIT 1");
                ResultSet rs = st.executeQuery()) {
            return rs.next();
        }
    }

    /** Runs {@code work} in one transaction; rolls back on any exception. */
    <T> T inTransaction(Sql.Work<T> work) {
        return Sql.inTransaction(ds, work);
    }

    private static Optional<Account> load(Connection c, String n) throws SQLException {
        Role role;
        java.time.Instant created;
        try (PreparedStatement st = c.prepareStatement("SELECT role, created FROM auth.accounts WHERE name = ?")) {
            st.setString(1, n);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                role = Role.parse(rs.getString(1));
                created = rs.getTimestamp(2).toInstant();
            }
        }
        Set<String> scopes = new TreeSet<>();
        try (PreparedStatement st = c.prepareStatement("SELECT scope FROM auth.account_scopes WHERE account = ?")) {
            st.setString(1, n);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    scopes.add(rs.getString(1));
                }
            }
        }
        Set<Right> rights = role == Role.ADMIN ? EnumSet.allOf(Right.class) : rightsOf(c, List.of("account:" + n, "role:" + role.id()));
        return Optional.of(new Account(n, role, new TreeSet<>(scopes), rights, created));
    }

    private static Set<Right> rightsOf(Connection c, List<String> subjects) throws SQLException {
        Set<Right> rights = EnumSet.noneOf(Right.class);
        try (PreparedStatement st = c.prepareStatement("SELECT right_name FROM auth.grants WHERE subject = ANY (?)")) {
            st.setArray(1, c.createArrayOf("text", subjects.toArray()));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    try {
                        rights.add(Right.parse(rs.getString(1)));
                    } catch (AuthException unknown) {
                        LOG.warn("Ignoring unknown right '{}' granted in the database", rs.getString(1));
                    }
                }
            }
        }
        return rights;
    }

    private static List<String> names(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT name FROM auth.accounts ORDER BY name"); ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static String hashOf(Connection c, String n) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT password_hash FROM auth.accounts WHERE name = ?")) {
            st.setString(1, n);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static int update(Connection c, String sql, String... args) throws SQLException {
        return Sql.update(c, sql, args);
    }

    /** A valid account name, lower-cased. */
    static String name(String name) {
        String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        if (!NAME.matcher(n).matches()) {
            throw new AuthException(Code.INVALID, "invalid account name '" + printable(name)
                    + "': use 1 to 64 of a-z 0-9 . _ @ -, starting with a letter or digit");
        }
        return n;
    }

    /** The scopes a role takes: none for an admin, domains for a domain-admin, addresses for a user. */
    static Set<String> scopes(Role role, Set<String> scopes) {
        Set<String> normalised = new TreeSet<>();
        for (String s : scopes) {
            normalised.add(s.strip().toLowerCase(Locale.ROOT));
        }
        switch (role) {
            case ADMIN:
                if (!normalised.isEmpty()) {
                    throw new AuthException(Code.INVALID, "an admin has no scope (got " + normalised + ")");
                }
                break;
            case DOMAIN_ADMIN:
                requireScopes(role, normalised, DOMAIN, "domain");
                break;
            default:
                requireScopes(role, normalised, ADDRESS, "email address");
        }
        return normalised;
    }

    private static void requireScopes(Role role, Set<String> scopes, Pattern valid, String what) {
        if (scopes.isEmpty()) {
            throw new AuthException(Code.INVALID, "a " + role.id() + " needs at least one " + what + " as its scope");
        }
        for (String s : scopes) {
            if (!valid.matcher(s).matches()) {
                throw new AuthException(Code.INVALID, "invalid scope '" + printable(s) + "': a " + role.id() + "'s scope is a " + what);
            }
        }
    }

    /** {@code name} → {@code account:name}; {@code role:<role>} checked; admins need no grant. */
    private String subject(String subject) {
        if (subject != null && subject.startsWith("role:")) {
            Role role = Role.parse(subject.substring(5));
            if (role == Role.ADMIN) {
                throw new AuthException(Code.INVALID, "admins hold every right; grant to role:domain-admin or role:user");
            }
            return "role:" + role.id();
        }
        String n = name(subject);
        Optional<Account> account = find(n);
        if (account.isEmpty()) {
            throw notFound(n);
        }
        if (account.get().role() == Role.ADMIN) {
            throw new AuthException(Code.INVALID, "'" + n + "' is an admin and holds every right");
        }
        return "account:" + n;
    }

    private static AuthException notFound(String n) {
        return new AuthException(Code.NOT_FOUND, "no account '" + n + "'");
    }

    /** One line of printable characters, at most 64, for messages and logs. */
    static String printable(String s) {
        if (s == null) {
            return "";
        }
        String p = s.replaceAll("[^\\x20-\\x7e]", "?");
        return p.length() > 64 ? p.substring(0, 61) + "..." : p;
    }
}
