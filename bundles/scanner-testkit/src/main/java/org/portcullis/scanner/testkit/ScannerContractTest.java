package org.portcullis.scanner.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.portcullis.scanner.Message;
import org.portcullis.scanner.MessageScanner;
import org.portcullis.scanner.Part;
import org.portcullis.scanner.PartScanner;
import org.portcullis.scanner.ScanResult;
import org.portcullis.scanner.Scanner;

/**
 * The contract every Portcullis scanner keeps. A scanner's test extends this class, returns its
 * scanner from {@link #scanner()}, and adds tests of what the scanner finds:
 *
 * <pre>
 * class MyScannerTest extends ScannerContractTest&lt;MyScanner&gt; {
 *     protected MyScanner scanner() { return new MyScanner(); }
 *
 *     &#64;Test void findsTheBadThing() throws Exception { ... scan(TestMessage.builder()...build()) ... }
 * }
 * </pre>
 *
 * Override {@link #cleanMessage()} when the default plain-text message is not clean for your scanner.
 */
public abstract class ScannerContractTest<S extends Scanner> {

    /** The scanner under test, ready to scan (started, connected to its engine). */
    protected abstract S scanner();

    /** A message the scanner must find clean. */
    protected Message cleanMessage() {
        return TestMessage.builder().text("Hello,\r\nlunch at noon?\r\n").build();
    }

    /**
     * Scans {@code message} as Portcullis would: the whole message for a {@link MessageScanner},
     * every part for a {@link PartScanner}, returning each result.
     */
    protected List<ScanResult> scan(Message message) throws Exception {
        S scanner = scanner();
        List<ScanResult> results = new ArrayList<>();
        if (scanner instanceof MessageScanner m) {
            results.add(m.scan(message));
        } else {
            for (Part part : message.parts()) {
                results.add(((PartScanner) scanner).scan(message, part));
            }
        }
        return results;
    }

    @Test
    void implementsExactlyOneKindOfScanner() {
        S scanner = scanner();
        assertTrue(scanner instanceof MessageScanner ^ scanner instanceof PartScanner,
                scanner.getClass().getName() + " must implement MessageScanner or PartScanner, not both or neither");
    }

    @Test
    void nameIsShortAndStable() {
        String name = scanner().name();
        assertNotNull(name);
        assertTrue(name.matches("[A-Za-z0-9.-]{1,64}"), "name '" + name + "' must be 1-64 letters, digits, '-' or '.'");
        assertEquals(name, scanner().name(), "the name must not change");
    }

    @Test
    void timeoutIsPositiveAndAtMostTenMinutes() {
        Duration timeout = scanner().timeout();
        assertNotNull(timeout);
        assertTrue(!timeout.isNegative() && !timeout.isZero(), "timeout must be positive, was " + timeout);
        assertTrue(timeout.compareTo(Duration.ofMinutes(10)) <= 0, "timeout must be at most 10 minutes, was " + timeout);
    }

    @Test
    void aCleanMessageIsCleanAndAnsweredWithinTheTimeout() throws Exception {
        long start = System.nanoTime();
        List<ScanResult> results = scan(cleanMessage());
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(!results.isEmpty());
        for (ScanResult r : results) {
            assertNotNull(r, "scan must never return null");
            assertEquals(ScanResult.clean(), r);
        }
        assertTrue(took.compareTo(scanner().timeout()) < 0, "took " + took + ", timeout " + scanner().timeout());
    }

    @Test
    void manyMessagesAtOnceAreScannedCorrectly() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<List<ScanResult>>> calls = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                calls.add(() -> scan(cleanMessage()));
            }
            for (Future<List<ScanResult>> f : pool.invokeAll(calls)) {
                for (ScanResult r : f.get()) {
                    assertEquals(ScanResult.clean(), r, "a concurrent scan gave another answer");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
