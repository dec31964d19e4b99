package org.portcullis.milter.internal.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.portcullis.scanner.Message;
import org.portcullis.scanner.MessageScanner;
import org.portcullis.scanner.Part;
import org.portcullis.scanner.PartScanner;
import org.portcullis.scanner.ScanResult;
import org.portcullis.scanner.testkit.TestMessage;

class ScanRunnerTest {

    private final ExecutorService workers = Executors.newCachedThreadPool();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ScanRunner runner = new ScanRunner(workers, timer);
    private final Message message = TestMessage.builder()
            .attachment("a.txt", "text/plain", "a".getBytes()).attachment("b.exe", "application/octet-stream", new byte[] {1}).build();

    @AfterEach
    void stop() {
        workers.shutdownNow();
        timer.shutdownNow();
    }

    private static MessageScanner scanner(String name, Duration timeout, MessageScanFunction f) {
        return new MessageScanner() {
            public String name() {
                return name;
            }

            public Duration timeout() {
                return timeout;
            }

            public ScanResult scan(Message m) throws Exception {
                return f.scan(m);
            }
        };
    }

    @FunctionalInterface
    interface MessageScanFunction {
        ScanResult scan(Message m) throws Exception;
    }

    @Test
    void aScanAnsweredInTimeLeavesNoDeadlineWaiting() throws Exception {
        java.util.concurrent.ScheduledThreadPoolExecutor deadlines = new java.util.concurrent.ScheduledThreadPoolExecutor(1);
        deadlines.setRemoveOnCancelPolicy(true);
        try {
            ScanRunner quick = new ScanRunner(workers, deadlines);
            for (int i = 0; i < 50; i++) {
                quick.run(message, List.of(scanner("fast", Duration.ofMinutes(10), m -> ScanResult.clean()))).get(10, TimeUnit.SECONDS);
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!deadlines.getQueue().isEmpty() && System.nanoTime() < end) {
                Thread.sleep(10); // the cancel runs just after the result is handed on
            }
            assertEquals(0, deadlines.getQueue().size(), "each answered scan cancelled its ten-minute deadline");
        } finally {
            deadlines.shutdownNow();
        }
    }

    @Test
    void scannersRunAtTheSameTime() throws Exception {
        CountDownLatch bothStarted = new CountDownLatch(2);
        MessageScanFunction waitForTheOther = m -> {
            bothStarted.countDown();
            return bothStarted.await(5, TimeUnit.SECONDS) ? ScanResult.clean() : ScanResult.failed("ran one after the other");
        };
        List<ScannerOutcome> outcomes = runner.run(message, List.of(scanner("a", Duration.ofSeconds(10), waitForTheOther),
                scanner("b", Duration.ofSeconds(10), waitForTheOther))).get(10, TimeUnit.SECONDS);
        assertEquals(List.of("a", "b"), outcomes.stream().map(ScannerOutcome::scanner).toList());
        outcomes.forEach(o -> assertEquals(ScanResult.clean(), o.result()));
    }

    @Test
    void aScannerOverItsDeadlineFailsAndIsInterrupted() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        MessageScanner slow = scanner("slow", Duration.ofMillis(200), m -> {
            try {
                Thread.sleep(30_000);
                return ScanResult.clean();
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
        });
        long t0 = System.nanoTime();
        List<ScannerOutcome> outcomes = runner.run(message, List.of(slow, scanner("fast", Duration.ofSeconds(5),
                m -> ScanResult.clean()))).get(10, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
        assertEquals(ScanResult.failed("timed out after 200 ms"), outcomes.get(0).result());
        assertEquals(ScanResult.clean(), outcomes.get(1).result());
        assertTrue(interrupted.await(5, TimeUnit.SECONDS), "the overrunning scan must be interrupted");
    }

    @Test
    void exceptionsAndNullsAreFailures() throws Exception {
        List<ScannerOutcome> outcomes = runner.run(message, List.of(
                scanner("throws", Duration.ofSeconds(5), m -> {
                    throw new IllegalStateException("engine\nexploded");
                }),
                scanner("null", Duration.ofSeconds(5), m -> null))).get(10, TimeUnit.SECONDS);
        assertEquals(ScanResult.failed("engine exploded"), outcomes.get(0).result());
        assertEquals(ScanResult.failed("returned no result"), outcomes.get(1).result());
    }

    @Test
    void aPartScannerSeesEveryPartWithContentAndItsWorstResultCounts() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        PartScanner byName = new PartScanner() {
            public String name() {
                return "by-name";
            }

            public ScanResult scan(Message m, Part part) {
                calls.incrementAndGet();
                return part.filename().filter(n -> n.endsWith(".exe")).isPresent()
                        ? ScanResult.suspicious("exe") : ScanResult.clean();
            }
        };
        List<ScannerOutcome> outcomes = runner.run(message, List.of(byName)).get(10, TimeUnit.SECONDS);
        assertEquals(ScanResult.suspicious("exe"), outcomes.get(0).result());
        assertEquals(3, calls.get(), "text and two attachments; the multipart container is not scanned");
    }

    @Test
    void resultsAreOrderedInfectedSuspiciousFailedSpamClean() {
        ScanResult infected = ScanResult.infected("v");
        ScanResult suspicious = ScanResult.suspicious("s");
        ScanResult failed = ScanResult.failed("f");
        ScanResult spam = ScanResult.spam(3, List.of());
        assertEquals(infected, Results.worse(suspicious, infected));
        assertEquals(suspicious, Results.worse(failed, suspicious));
        assertEquals(failed, Results.worse(spam, failed));
        assertEquals(spam, Results.worse(ScanResult.clean(), spam));
        assertEquals(ScanResult.spam(7, List.of()), Results.worse(spam, ScanResult.spam(7, List.of())));
    }
}
