package org.portcullis.auth.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Progressive back-off for failed logins, per key (an account at a source address, a source
 * address). Every attempt counts as a failure from the moment it is admitted
 * ({@link #tryAttempt}) until {@link #success}. The first {@code threshold - 1} failures in a row
 * cost nothing; from the {@code threshold}-th on, each locks the key for twice as long as the one
 * before (1 s, 2 s, 4 s, …) up to {@code max}, and a locked key admits nothing. A success resets
 * the key. Counts are kept in memory on this node and forgotten
 * once a key has been quiet for {@code max} twice over; at most {@link #MAX_KEYS} keys are kept
 * so that random names cannot fill the heap.
 */
public final class LoginThrottle {

    static final int MAX_KEYS = 100_000;

    private record State(int failures, Instant lockedUntil, Instant last) {
    }

    private final int threshold;
    private final Duration max;
    private final Clock clock;
    private final Map<String, State> states = new ConcurrentHashMap<>();

    public LoginThrottle(int threshold, Duration max, Clock clock) {
        this.threshold = Math.max(1, threshold);
        this.max = max;
        this.clock = clock;
    }

    /** How long {@code key} stays locked; zero when it is not. */
    public Duration lockedFor(String key) {
        State s = states.get(key);
        if (s == null || s.lockedUntil == null) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(clock.instant(), s.lockedUntil);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /**
     * Counts an attempt on {@code key} before its password is checked, so that attempts made at
     * the same moment cannot all slip in under the threshold: each is a failure until
     * {@link #success} says otherwise.
     *
     * @return false (and nothing counted) when the key is locked now
     */
    public boolean tryAttempt(String key) {
        Instant now = clock.instant();
        if (states.size() >= MAX_KEYS) {
            forgetQuiet(now);
        }
        boolean[] admitted = {false};
        states.compute(key, (k, s) -> {
            if (s != null && s.lockedUntil != null && s.lockedUntil.isAfter(now)) {
                return s;
            }
            admitted[0] = true;
            int failures = (s == null || isQuiet(s, now) ? 0 : s.failures) + 1;
            Instant until = null;
            if (failures >= threshold) {
                int doublings = Math.min(failures - threshold, 30);
                Duration lock = Duration.ofSeconds(1L << doublings);
                until = now.plus(lock.compareTo(max) > 0 ? max : lock);
            }
            return new State(failures, until, now);
        });
        return admitted[0];
    }

    public void success(String key) {
        states.remove(key);
    }

    private boolean isQuiet(State s, Instant now) {
        return s.last.plus(max.multipliedBy(2)).isBefore(now);
    }

    private void forgetQuiet(Instant now) {
        states.values().removeIf(s -> isQuiet(s, now) || (s.lockedUntil == null || s.lockedUntil.isBefore(now)) && s.failures < threshold);
        if (states.size() >= MAX_KEYS) {
            states.clear(); // still full of live keys: an attack on names; starting over is the lesser harm
        }
    }
}
