package org.portcullis.auth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    private final TestClock clock = new TestClock();
    private final LoginThrottle throttle = new LoginThrottle(3, Duration.ofSeconds(10), clock);

    @Test
    void backOffStartsAtTheThresholdDoublesAndIsCapped() {
        throttle.tryAttempt("a");
        throttle.tryAttempt("a");
        assertEquals(Duration.ZERO, throttle.lockedFor("a"), "below the threshold nothing is locked");
        throttle.tryAttempt("a");
        assertEquals(Duration.ofSeconds(1), throttle.lockedFor("a"));
        clock.advance(Duration.ofSeconds(1));
        throttle.tryAttempt("a");
        assertEquals(Duration.ofSeconds(2), throttle.lockedFor("a"));
        clock.advance(Duration.ofSeconds(2));
        throttle.tryAttempt("a");
        assertEquals(Duration.ofSeconds(4), throttle.lockedFor("a"));
        assertFalse(throttle.tryAttempt("a"), "a locked key admits nothing");
        assertEquals(Duration.ofSeconds(4), throttle.lockedFor("a"), "and a refused attempt does not lengthen the lock");
        clock.advance(Duration.ofSeconds(4));
        throttle.tryAttempt("a");
        clock.advance(Duration.ofSeconds(8));
        throttle.tryAttempt("a");
        assertEquals(Duration.ofSeconds(10), throttle.lockedFor("a"), "capped at the maximum");
    }

    @Test
    void anAttemptCountsFromTheMomentItIsAdmitted() {
        assertTrue(throttle.tryAttempt("a"));
        assertTrue(throttle.tryAttempt("a"));
        assertTrue(throttle.tryAttempt("a"), "the third is admitted, and locks the key for whatever comes next");
        assertFalse(throttle.tryAttempt("a"), "a fourth at the same moment is not: no check ever ran for it");
    }

    @Test
    void aLockReleasesWithTimeAndASuccessResets() {
        for (int i = 0; i < 3; i++) {
            throttle.tryAttempt("a");
        }
        clock.advance(Duration.ofSeconds(1));
        throttle.tryAttempt("a");
        assertEquals(Duration.ofSeconds(2), throttle.lockedFor("a"));
        clock.advance(Duration.ofMillis(1500));
        assertEquals(Duration.ofMillis(500), throttle.lockedFor("a"));
        clock.advance(Duration.ofMillis(500));
        assertEquals(Duration.ZERO, throttle.lockedFor("a"), "released on time");
        throttle.success("a");
        throttle.tryAttempt("a");
        assertEquals(Duration.ZERO, throttle.lockedFor("a"), "counting starts again after a success");
    }

    @Test
    void keysAreIndependentAndQuietKeysAreForgotten() {
        for (int i = 0; i < 3; i++) {
            throttle.tryAttempt("a");
        }
        assertEquals(Duration.ZERO, throttle.lockedFor("b"));
        clock.advance(Duration.ofSeconds(21));
        throttle.tryAttempt("a");
        assertEquals(Duration.ZERO, throttle.lockedFor("a"), "after twice the maximum of quiet the count starts over");
    }
}
