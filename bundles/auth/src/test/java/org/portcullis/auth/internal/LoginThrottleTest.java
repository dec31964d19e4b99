package org.portcullis.auth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    private final TestClock clock = new TestClock();
    private final LoginThrottle throttle = new LoginThrottle(3, Duration.ofSeconds(10), clock);

    @Test
    void backOffStartsAtTheThresholdDoublesAndIsCapped() {
        throttle.failure("a");
        throttle.failure("a");
        assertEquals(Duration.ZERO, throttle.lockedFor("a"), "below the threshold nothing is locked");
        throttle.failure("a");
        assertEquals(Duration.ofSeconds(1), throttle.lockedFor("a"));
        throttle.failure("a");
        assertEquals(Duration.ofSeconds(2), throttle.lockedFor("a"));
        throttle.failure("a");
        assertEquals(Duration.ofSeconds(4), throttle.lockedFor("a"));
        throttle.failure("a");
        throttle.failure("a");
        assertEquals(Duration.ofSeconds(10), throttle.lockedFor("a"), "capped at the maximum");
    }

    @Test
    void aLockReleasesWithTimeAndASuccessResets() {
        for (int i = 0; i < 4; i++) {
            throttle.failure("a");
        }
        assertEquals(Duration.ofSeconds(2), throttle.lockedFor("a"));
        clock.advance(Duration.ofMillis(1500));
        assertEquals(Duration.ofMillis(500), throttle.lockedFor("a"));
        clock.advance(Duration.ofMillis(500));
        assertEquals(Duration.ZERO, throttle.lockedFor("a"), "released on time");
        throttle.success("a");
        throttle.failure("a");
        assertEquals(Duration.ZERO, throttle.lockedFor("a"), "counting starts again after a success");
    }

    @Test
    void keysAreIndependentAndQuietKeysAreForgotten() {
        for (int i = 0; i < 3; i++) {
            throttle.failure("a");
        }
        assertEquals(Duration.ZERO, throttle.lockedFor("b"));
        clock.advance(Duration.ofSeconds(21));
        throttle.failure("a");
        assertEquals(Duration.ZERO, throttle.lockedFor("a"), "after twice the maximum of quiet the count starts over");
    }
}
