package org.portcullis.sandbox.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.portcullis.sandbox.Finding;
import org.portcullis.sandbox.SandboxAnalyzer;
import org.portcullis.scanner.Part;

/** Every attachment at once, each call with its deadline; a malicious finding beats a failure. */
class AnalysisRunnerTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
    private final AnalysisRunner runner = new AnalysisRunner(pool, 8, watchdog);

    @AfterEach
    void stop() {
        pool.shutdownNow();
        watchdog.shutdownNow();
    }

    private static List<Part> attachments(int n) {
        return java.util.stream.IntStream.rangeClosed(1, n).mapToObj(i -> (Part) TestPart.of("file" + i + ".pdf", "application/pdf",
                ("attachment " + i).getBytes(StandardCharsets.US_ASCII))).toList();
    }

    /** An analyser that takes {@code sleep} for each attachment, then finds it clean (or malicious when its name says "bad"). */
    private static SandboxAnalyzer sleeping(Duration sleep) {
        return new SandboxAnalyzer() {
            public String name() {
                return "sleepy";
            }

            public Finding analyze(Part attachment) throws InterruptedException {
                Thread.sleep(sleep.toMillis());
                return attachment.filename().orElse("").contains("bad") ? Finding.malicious("looked bad") : Finding.clean();
            }
        };
    }

    @Test
    void fiveAttachmentsOfOneSecondEachTakeAboutOneSecond() throws Exception {
        long start = System.nanoTime();
        AnalysisRunner.Result r = runner.run(attachments(5), List.of(sleeping(Duration.ofSeconds(1))));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(new AnalysisRunner.Result.Clean(5), r);
        assertTrue(millis >= 1000 && millis < 2000, "five 1 s analyses in parallel took " + millis + " ms");
    }

    @Test
    void anAnalyserPastItsDeadlineOrThrowingFailsTheAnalysis() throws Exception {
        SandboxAnalyzer hanging = new SandboxAnalyzer() {
            public String name() {
                return "hangs";
            }

            public Duration deadline() {
                return Duration.ofMillis(200);
            }

            public Finding analyze(Part attachment) throws InterruptedException {
                Thread.sleep(60_000);
                return Finding.clean();
            }
        };
        long start = System.nanoTime();
        AnalysisRunner.Result r = runner.run(attachments(1), List.of(hanging));
        assertTrue((System.nanoTime() - start) / 1_000_000 < 5000, "the deadline ended it");
        assertEquals(new AnalysisRunner.Result.Failed("hangs: file1.pdf: no answer within 200 ms"), r);

        SandboxAnalyzer throwing = new SandboxAnalyzer() {
            public String name() {
                return "crashes";
            }

            public Finding analyze(Part attachment) {
                throw new IllegalStateException("engine down");
            }
        };
        AnalysisRunner.Result crashed = runner.run(attachments(1), List.of(throwing));
        assertEquals(new AnalysisRunner.Result.Failed("crashes: file1.pdf: java.lang.IllegalStateException: engine down"), crashed);
        assertEquals(new AnalysisRunner.Result.Failed("no sandbox analyser is installed"), runner.run(attachments(1), List.of()));
    }

    @Test
    void callsThatNeverStartBecauseThePoolIsStuckEndTheWaitToo() throws Exception {
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            SandboxAnalyzer stubborn = new SandboxAnalyzer() {
                public String name() {
                    return "stubborn";
                }

                public Duration deadline() {
                    return Duration.ofMillis(100);
                }

                public Finding analyze(Part attachment) {
                    long end = System.nanoTime() + 8_000_000_000L; // past the wait's backstop (5.3 s here)
                    while (System.nanoTime() < end) {
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException ignored) {
                            // ignores interrupts: its thread stays taken
                        }
                    }
                    return Finding.clean();
                }
            };
            long start = System.nanoTime();
            AnalysisRunner.Result r = new AnalysisRunner(one, 1, watchdog).run(attachments(2), List.of(stubborn));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertInstanceOf(AnalysisRunner.Result.Failed.class, r);
            assertTrue(millis >= 5_000 && millis < 8_000, "the backstop ended the wait after " + millis + " ms");
        } finally {
            one.shutdownNow();
        }
    }

    @Test
    void aMaliciousFindingBeatsAFailure() throws Exception {
        SandboxAnalyzer throwing = new SandboxAnalyzer() {
            public String name() {
                return "crashes";
            }

            public Finding analyze(Part attachment) {
                throw new IllegalStateException("engine down");
            }
        };
        List<Part> parts = List.of(TestPart.of("bad.pdf", "application/pdf", new byte[] {1}));
        AnalysisRunner.Result r = runner.run(parts, List.of(throwing, sleeping(Duration.ZERO)));
        assertInstanceOf(AnalysisRunner.Result.Malicious.class, r);
        assertEquals(List.of("sleepy: bad.pdf: looked bad"), ((AnalysisRunner.Result.Malicious) r).findings());
    }
}
