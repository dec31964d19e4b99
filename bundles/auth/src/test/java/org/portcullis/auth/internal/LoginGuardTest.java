package org.portcullis.auth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.portcullis.auth.LoginBusyException;
import org.portcullis.auth.LoginFailedException;

class LoginGuardTest {

    private final TestClock clock = new TestClock();
    private DataSource ds;

    @BeforeEach
    void freshSchema() throws Exception {
        ds = AuthSchema.fresh();
    }

    @Test
    void concurrentGuessesAtOneAccountGetNoMoreChecksThanTheThreshold() throws Exception {
        LoginGuard guard = new LoginGuard(ds, 5, 1000, Duration.ofSeconds(900), 4, clock);
        assertEquals(5, checksMadeFor40GuessesAtOnce(List.of(guard)), "every attempt is counted before its check, so 40 at once still get 5 checks");
    }

    @Test
    void guessesSpreadOverThreeNodesGetTheThresholdOnceNotThreeTimes() throws Exception {
        List<LoginGuard> nodes = List.of(new LoginGuard(ds, 5, 1000, Duration.ofSeconds(900), 4, clock),
                new LoginGuard(ds, 5, 1000, Duration.ofSeconds(900), 4, clock), new LoginGuard(ds, 5, 1000, Duration.ofSeconds(900), 4, clock));
        assertEquals(5, checksMadeFor40GuessesAtOnce(nodes), "the counts are the cluster's: 5 checks, not 15");
    }

    /** 40 wrong passwords for one account from one address at once, round-robin over {@code guards}; the checks that ran. */
    private static int checksMadeFor40GuessesAtOnce(List<LoginGuard> guards) throws Exception {
        AtomicInteger checked = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(40);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                LoginGuard guard = guards.get(i % guards.size());
                all.add(pool.submit(() -> {
                    go.await();
                    try {
                        LoginGuard.Attempt a = guard.begin("victim", "192.0.2.9");
                        checked.incrementAndGet();
                        Thread.sleep(20); // the Argon2 check
                        guard.failed(a);
                    } catch (LoginFailedException refused) {
                        // locked (or busy): no check made
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : all) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return checked.get();
    }

    @Test
    void aBadSourceHoldsBackItselfNotTheAccountElsewhere() throws Exception {
        LoginGuard guard = new LoginGuard(ds, 3, 6, Duration.ofSeconds(900), 4, clock);
        for (int i = 0; i < 3; i++) {
            guard.failed(guard.begin("admin", "198.51.100.1"));
        }
        assertEquals(Duration.ofSeconds(1), assertThrows(LoginFailedException.class, () -> guard.begin("admin", "198.51.100.1")).retryAfter());
        guard.succeeded(guard.begin("admin", "203.0.113.5")); // admitted from another address at once

        for (String name : List.of("a", "b", "c", "d", "e", "f")) {
            guard.failed(guard.begin(name, "198.51.100.2"));
        }
        assertThrows(LoginFailedException.class, () -> guard.begin("g", "198.51.100.2"), "many names from one address: that address waits");
        guard.succeeded(guard.begin("g", "198.51.100.3"));
    }

    @Test
    void atMostTheConfiguredNumberOfChecksRunAtOnceAndTheRestAreBusyUncounted() throws Exception {
        LoginGuard guard = new LoginGuard(ds, 1, 1, Duration.ofSeconds(900), 2, clock);
        LoginGuard.Attempt first = guard.begin("a", "192.0.2.1");
        LoginGuard.Attempt second = guard.begin("b", "192.0.2.2");
        long start = System.nanoTime();
        LoginBusyException busy = assertThrows(LoginBusyException.class, () -> guard.begin("c", "192.0.2.3"));
        assertTrue(System.nanoTime() - start >= LoginGuard.WAIT.toNanos() - 50_000_000L, "it waited for a slot first");
        assertEquals(LoginGuard.WAIT, busy.retryAfter());
        guard.failed(first);
        guard.succeeded(guard.begin("c", "192.0.2.3")); // threshold 1, yet admitted: the busy refusal was not counted
        guard.failed(second);
    }
}
