package org.portcullis.auth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    private final TestClock clock = new TestClock();
    private DataSource ds;
    private LoginThrottle throttle;

    @BeforeEach
    void freshSchema() throws Exception {
        ds = AuthSchema.fresh();
        throttle = new LoginThrottle(ds, 3, Duration.ofSeconds(10), clock);
    }

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

    @Test
    void everyNodeOnTheDatabaseCountsTheSameAttempts() {
        LoginThrottle otherNode = new LoginThrottle(ds, 3, Duration.ofSeconds(10), clock);
        assertTrue(throttle.tryAttempt("a"));
        assertTrue(otherNode.tryAttempt("a"));
        assertTrue(throttle.tryAttempt("a"), "the third anywhere reaches the threshold");
        assertEquals(Duration.ofSeconds(1), otherNode.lockedFor("a"), "and holds the key back on the other node too");
        assertFalse(otherNode.tryAttempt("a"));
        otherNode.success("a");
        assertEquals(Duration.ZERO, throttle.lockedFor("a"), "a success on one node resets it for all");
    }

    @Test
    void quietRowsLeaveTheTable() throws Exception {
        throttle.tryAttempt("old");
        clock.advance(Duration.ofSeconds(61));
        throttle.tryAttempt("new"); // a minute on: the purge runs, and "old" has been quiet for more than 20 s
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT string_agg(key, ',' ORDER BY key) FROM auth.login_failures")) {
            rs.next();
            assertEquals("new", rs.getString(1));
        }
    }
}
