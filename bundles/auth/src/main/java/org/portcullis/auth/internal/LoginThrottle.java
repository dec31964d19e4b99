package org.portcullis.auth.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

/**
 * Progressive back-off for failed logins, per key (an account at a source address, a source
 * address). Every attempt counts as a failure from the moment it is admitted
 * ({@link #tryAttempt}) until {@link #success}. The first {@code threshold - 1} failures in a row
 * cost nothing; from the {@code threshold}-th on, each locks the key for twice as long as the one
 * before (1 s, 2 s, 4 s, …) up to {@code max}, and a locked key admits nothing. A success resets
 * the key, and a key quiet for {@code max} twice over starts again from nothing.
 *
 * <p>The counts live in {@code auth.login_failures}, so every node sharing the database counts
 * the same attempts: a cluster of N nodes allows the threshold once, not N times. Times come from
 * this node's clock. An admitted attempt is one short transaction with the key's row locked, so
 * attempts on several nodes at once cannot all slip in under the threshold; quiet rows are deleted
 * at most once a minute. A database error refuses the login (the account store needs the
 * database anyway).
 */
public final class LoginThrottle {

    private static final Duration PURGE_EVERY = Duration.ofMinutes(1);

    private final DataSource ds;
    private final int threshold;
    private final Duration max;
    private final Clock clock;
    private final AtomicReference<Instant> lastPurge = new AtomicReference<>(Instant.EPOCH);

    public LoginThrottle(DataSource ds, int threshold, Duration max, Clock clock) {
        this.ds = ds;
        this.threshold = Math.max(1, threshold);
        this.max = max;
        this.clock = clock;
    }

    /** A key as stored: one longer than any real account at any address is kept as its SHA-256 (the index takes 2.7 kB at most). */
    static String stored(String key) {
        if (key.length() <= 200) {
            return key;
        }
        try {
            return "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How long {@code key} stays locked; zero when it is not. */
    public Duration lockedFor(String key) {
        String k = stored(key);
        Instant until = Sql.inTransaction(ds, c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT locked_until FROM auth.login_failures WHERE key = ?")) {
                st.setString(1, k);
                try (ResultSet rs = st.executeQuery()) {
                    Timestamp t = rs.next() ? rs.getTimestamp(1) : null;
                    return t == null ? null : t.toInstant();
                }
            }
        });
        if (until == null) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(clock.instant(), until);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /**
     * Counts an attempt on {@code key} before its password is checked, so that attempts made at
     * the same moment — on this node or another — cannot all slip in under the threshold: each is
     * a failure until {@link #success} says otherwise.
     *
     * @return false (and nothing counted) when the key is locked now
     */
    public boolean tryAttempt(String key) {
        String k = stored(key);
        Instant now = clock.instant();
        purgeQuiet(now);
        return Sql.inTransaction(ds, c -> {
            Integer failures = null;
            // a success on another node may delete the row between the insert and the lock: then insert again
            for (int round = 0; round < 3 && failures == null; round++) {
                try (PreparedStatement st = c.prepareStatement(
                        "INSERT INTO auth.login_failures (key, failures, last) VALUES (?, 0, ?) ON CONFLICT (key) DO NOTHING")) {
                    st.setString(1, k);
                    st.setTimestamp(2, Timestamp.from(now));
                    st.executeUpdate();
                }
                try (PreparedStatement st = c.prepareStatement(
                        "SELECT failures, locked_until, last FROM auth.login_failures WHERE key = ? FOR UPDATE")) {
                    st.setString(1, k);
                    try (ResultSet rs = st.executeQuery()) {
                        if (rs.next()) {
                            Timestamp locked = rs.getTimestamp(2);
                            if (locked != null && locked.toInstant().isAfter(now)) {
                                return false;
                            }
                            boolean quiet = rs.getTimestamp(3).toInstant().plus(max.multipliedBy(2)).isBefore(now);
                            failures = (quiet ? 0 : rs.getInt(1)) + 1;
                        }
                    }
                }
            }
            if (failures == null) {
                return false;
            }
            Instant until = null;
            if (failures >= threshold) {
                Duration lock = Duration.ofSeconds(1L << Math.min(failures - threshold, 30));
                until = now.plus(lock.compareTo(max) > 0 ? max : lock);
            }
            try (PreparedStatement st = c.prepareStatement(
                    "UPDATE auth.login_failures SET failures = ?, locked_until = ?, last = ? WHERE key = ?")) {
                st.setInt(1, failures);
                st.setTimestamp(2, until == null ? null : Timestamp.from(until));
                st.setTimestamp(3, Timestamp.from(now));
                st.setString(4, k);
                st.executeUpdate();
            }
            return true;
        });
    }

    public void success(String key) {
        Sql.inTransaction(ds, c -> Sql.update(c, "DELETE FROM auth.login_failures WHERE key = ?", stored(key)));
    }

    private void purgeQuiet(Instant now) {
        Instant last = lastPurge.get();
        if (last.plus(PURGE_EVERY).isAfter(now) || !lastPurge.compareAndSet(last, now)) {
            return;
        }
        Sql.inTransaction(ds, c -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM auth.login_failures WHERE last < ?")) {
                st.setTimestamp(1, Timestamp.from(now.minus(max.multipliedBy(2))));
                return st.executeUpdate();
            }
        });
    }
}
