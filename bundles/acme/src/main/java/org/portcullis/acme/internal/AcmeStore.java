package org.portcullis.acme.internal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import org.portcullis.acme.CertificateStatus.NameStatus;
import org.portcullis.core.cluster.Fence;
import org.portcullis.core.cluster.FencedException;

/** The {@code acme} schema: account, names, certificates, schedule. */
final class AcmeStore {

    record Account(String directory, String keyPem, String url, String contact, String terms, String agreedBy) {
    }

    record Stored(long id, List<String> names, String keyPem, String chainPem, String serial, Instant notBefore, Instant notAfter, String issuer,
            Instant renewAt, Instant issued, boolean revoked, String directory) {
    }

    record Schedule(int failures, Instant nextTry, Instant caRetryAfter, String lastError) {
    }

    private final DataSource ds;

    AcmeStore(DataSource ds) {
        this.ds = ds;
    }

    Optional<Account> account() throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT directory, key_pem, url, contact, terms, agreed_by FROM acme.account WHERE id = 1"); ResultSet r = s.executeQuery()) {
            return r.next() ? Optional.of(new Account(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getString(6)))
                    : Optional.empty();
        }
    }

    void saveAccount(Account a) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement("INSERT INTO acme.account (id, directory, key_pem, url, contact, "
                + "terms, agreed_by) VALUES (1, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET directory = excluded.directory, key_pem = "
                + "excluded.key_pem, url = excluded.url, contact = excluded.contact, terms = excluded.terms, agreed_by = excluded.agreed_by, "
                + "agreed_at = now()")) {
            s.setString(1, a.directory());
            s.setString(2, a.keyPem());
            s.setString(3, a.url());
            s.setString(4, a.contact());
            s.setString(5, a.terms());
            s.setString(6, a.agreedBy());
            s.executeUpdate();
        }
    }

    List<NameStatus> names() throws SQLException {
        List<NameStatus> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement("SELECT name, state, detail, updated FROM acme.names ORDER BY name");
                ResultSet r = s.executeQuery()) {
            while (r.next()) {
                out.add(new NameStatus(r.getString(1), r.getString(2), r.getString(3), r.getTimestamp(4).toInstant()));
            }
        }
        return out;
    }

    /** The names renewals ask for become {@code names}, each pending. */
    void replaceNames(List<String> names, Fence fence) throws SQLException, FencedException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement del = c.prepareStatement("DELETE FROM acme.names"); PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO acme.names (name, state) VALUES (?, 'pending')")) {
                del.executeUpdate();
                for (String n : names) {
                    ins.setString(1, n);
                    ins.addBatch();
                }
                ins.executeBatch();
                fence.check(c);
                c.commit();
            } catch (SQLException | FencedException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Each name's outcome, in one transaction. */
    void nameOutcomes(List<NameStatus> outcomes, Fence fence) throws SQLException, FencedException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("UPDATE acme.names SET state = ?, detail = ?, updated = now() WHERE name = ?")) {
                for (NameStatus o : outcomes) {
                    s.setString(1, o.state());
                    s.setString(2, o.detail());
                    s.setString(3, o.name());
                    s.addBatch();
                }
                s.executeBatch();
                fence.check(c);
                c.commit();
            } catch (SQLException | FencedException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    long saveCertificate(List<String> names, String keyPem, String chainPem, String serial, Instant notBefore, Instant notAfter, String issuer,
            Instant renewAt, String by, String directory, Fence fence) throws SQLException, FencedException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO acme.certificates (names, key_pem, chain_pem, serial, not_before, not_after, "
                    + "issuer, renew_at, issued_by, directory) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"); PreparedStatement ok = c.prepareStatement(
                            "UPDATE acme.schedule SET failures = 0, next_try = NULL, ca_retry_after = NULL, last_error = '', "
                            + "last_try = now() WHERE id = 1")) {
                s.setArray(1, c.createArrayOf("text", names.toArray()));
                s.setString(2, keyPem);
                s.setString(3, chainPem);
                s.setString(4, serial);
                s.setTimestamp(5, Timestamp.from(notBefore));
                s.setTimestamp(6, Timestamp.from(notAfter));
                s.setString(7, issuer);
                s.setTimestamp(8, Timestamp.from(renewAt));
                s.setString(9, by);
                s.setString(10, directory);
                long id;
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    id = r.getLong(1);
                }
                ok.executeUpdate();
                fence.check(c);
                c.commit();
                return id;
            } catch (SQLException | FencedException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** The certificate issued last, revoked or not. */
    Optional<Stored> latest() throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement("SELECT id, names, key_pem, chain_pem, serial, not_before, "
                + "not_after, issuer, renew_at, issued_at, revoked_at IS NOT NULL, directory FROM acme.certificates ORDER BY id DESC LIMIT 1");
                ResultSet r = s.executeQuery()) {
            if (!r.next()) {
                return Optional.empty();
            }
            Array names = r.getArray(2);
            return Optional.of(new Stored(r.getLong(1), Arrays.asList((String[]) names.getArray()), r.getString(3), r.getString(4), r.getString(5),
                    r.getTimestamp(6).toInstant(), r.getTimestamp(7).toInstant(), r.getString(8), r.getTimestamp(9).toInstant(),
                    r.getTimestamp(10).toInstant(), r.getBoolean(11), r.getString(12)));
        }
    }

    void renewAt(long id, Instant when) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE acme.certificates SET renew_at = ? WHERE id = ?")) {
            s.setTimestamp(1, Timestamp.from(when));
            s.setLong(2, id);
            s.executeUpdate();
        }
    }

    void revoked(long id) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE acme.certificates SET revoked_at = now() WHERE id = ?")) {
            s.setLong(1, id);
            s.executeUpdate();
        }
    }

    Schedule schedule() throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement("SELECT failures, next_try, ca_retry_after, last_error FROM acme.schedule "
                + "WHERE id = 1"); ResultSet r = s.executeQuery()) {
            r.next();
            return new Schedule(r.getInt(1), instant(r.getTimestamp(2)), instant(r.getTimestamp(3)), r.getString(4));
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /** Records a failed try: the count, when the next may be, the CA's Retry-After (or null), and why. */
    void failed(int failures, Instant nextTry, Instant caRetryAfter, String error, Fence fence) throws SQLException, FencedException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("UPDATE acme.schedule SET failures = ?, next_try = ?, ca_retry_after = ?, last_error = ?, "
                    + "last_try = now() WHERE id = 1")) {
                s.setInt(1, failures);
                s.setTimestamp(2, Timestamp.from(nextTry));
                s.setTimestamp(3, caRetryAfter == null ? null : Timestamp.from(caRetryAfter));
                s.setString(4, error);
                s.executeUpdate();
                fence.check(c);
                c.commit();
            } catch (SQLException | FencedException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
