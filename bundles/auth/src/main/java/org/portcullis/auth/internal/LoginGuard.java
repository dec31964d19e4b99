package org.portcullis.auth.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.portcullis.auth.AuthException;
import org.portcullis.auth.LoginBusyException;
import org.portcullis.auth.LoginFailedException;

/**
 * What stands between a login and its password check. Two back-offs, kept apart so that a bad
 * source cannot lock an account out everywhere:
 * <ul>
 * <li>per account <em>at a source address</em> ({@code threshold} failures, then 1 s, 2 s, 4 s …):
 * guessing one account's password from one place;</li>
 * <li>per source address, whatever the names ({@code sourceThreshold}): trying many names from
 * one place.</li>
 * </ul>
 * Failures from one address never lock the account for another address. An attempt is counted
 * before its password is checked, so concurrent attempts cannot pass the threshold; and at most
 * {@code concurrentChecks} passwords are hashed at once (each Argon2 computation takes 19 MiB):
 * a login that finds no free slot within {@link #WAIT} is refused with
 * {@link LoginBusyException} without being counted.
 */
final class LoginGuard {

    /** How long a login waits for a free hashing slot before it is answered "busy". */
    static final Duration WAIT = Duration.ofSeconds(1);
    /** How long creating or changing a password waits for one (an admin's action, not a guess). */
    static final Duration ADMIN_WAIT = Duration.ofSeconds(30);

    /** An admitted attempt: holds a hashing slot until {@link LoginGuard#succeeded} or {@link LoginGuard#failed}. */
    record Attempt(String pairKey, String sourceKey) {
    }

    private final LoginThrottle pairs;
    private final LoginThrottle sources;
    private final Semaphore hashing;

    LoginGuard(DataSource ds, int threshold, int sourceThreshold, Duration max, int concurrentChecks, Clock clock) {
        this.pairs = new LoginThrottle(ds, threshold, max, clock);
        this.sources = new LoginThrottle(ds, sourceThreshold, max, clock);
        this.hashing = new Semaphore(Math.max(1, concurrentChecks), true);
    }

    /**
     * Admits an attempt for {@code name} from {@code source} (null when unknown) and reserves a
     * hashing slot for it.
     *
     * @throws LoginFailedException while either key is locked, or {@link LoginBusyException}
     *         when no slot frees up in time
     */
    Attempt begin(String name, String source) throws LoginFailedException {
        Attempt a = new Attempt("pair:" + name + "|" + (source == null ? "?" : source), source == null ? null : "source:" + source);
        // the slot first: the lock checks read the shared database, and no more logins than slots may do that at once
        try {
            if (!hashing.tryAcquire(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new LoginBusyException(WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoginBusyException(WAIT);
        }
        boolean admitted = false;
        try {
            Duration locked = lockedFor(a);
            if (!locked.isZero()) {
                throw new LoginFailedException(locked);
            }
            if (!pairs.tryAttempt(a.pairKey) || (a.sourceKey != null && !sources.tryAttempt(a.sourceKey))) {
                throw new LoginFailedException(lockedFor(a));
            }
            admitted = true;
            return a;
        } finally {
            if (!admitted) {
                hashing.release(); // refused, or the database failed: the slot is free again either way
            }
        }
    }

    /** The attempt's password was right: both counts start again. */
    void succeeded(Attempt a) {
        hashing.release();
        pairs.success(a.pairKey);
        if (a.sourceKey != null) {
            sources.success(a.sourceKey);
        }
    }

    /** The attempt's password was wrong (it is counted already); returns how long its keys are now locked. */
    Duration failed(Attempt a) {
        hashing.release();
        return lockedFor(a);
    }

    /** Runs an admin's hashing (a new or changed password) within the same bound as logins. */
    <T> T hashing(java.util.function.Supplier<T> work) {
        try {
            if (!hashing.tryAcquire(ADMIN_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AuthException(AuthException.Code.UNAVAILABLE, "too many passwords are being checked at once; try again");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuthException(AuthException.Code.UNAVAILABLE, "interrupted while waiting to hash the password");
        }
        try {
            return work.get();
        } finally {
            hashing.release();
        }
    }

    private Duration lockedFor(Attempt a) {
        Duration p = pairs.lockedFor(a.pairKey);
        Duration s = a.sourceKey == null ? Duration.ZERO : sources.lockedFor(a.sourceKey);
        return p.compareTo(s) >= 0 ? p : s;
    }
}
