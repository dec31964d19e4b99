package org.portcullis.milter.internal.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.portcullis.scanner.Message;
import org.portcullis.scanner.MessageScanner;
import org.portcullis.scanner.Part;
import org.portcullis.scanner.PartScanner;
import org.portcullis.scanner.ScanResult;
import org.portcullis.scanner.Scanner;

/**
 * Runs every scanner on a message at once, each with its own deadline. A scanner that throws,
 * returns {@code null} or overruns its deadline gets {@link ScanResult.Failed} (an overrunning call
 * is interrupted). A part scanner is called for every part that has content, in parallel too,
 * and its result is the worst over the parts. The list of scanners is the caller's snapshot: a
 * scanner that goes away meanwhile still finishes this message.
 */
public final class ScanRunner {

    private final ExecutorService workers;
    private final ScheduledExecutorService timer;

    public ScanRunner(ExecutorService workers, ScheduledExecutorService timer) {
        this.workers = workers;
        this.timer = timer;
    }

    /** Scans {@code message} with {@code scanners}; completes when every scanner has a result. */
    public CompletableFuture<List<ScannerOutcome>> run(Message message, List<? extends Scanner> scanners) {
        List<CompletableFuture<ScannerOutcome>> outcomes = new ArrayList<>();
        for (Scanner scanner : scanners) {
            outcomes.add(runOne(message, scanner));
        }
        return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
                .thenApply(done -> outcomes.stream().map(CompletableFuture::join).toList());
    }

    private CompletableFuture<ScannerOutcome> runOne(Message message, Scanner scanner) {
        long start = System.nanoTime();
        List<CompletableFuture<ScanResult>> calls = new ArrayList<>();
        if (scanner instanceof MessageScanner m) {
            calls.add(call(scanner, () -> m.scan(message)));
        } else if (scanner instanceof PartScanner p) {
            for (Part part : message.parts()) {
                if (!part.container()) {
                    calls.add(call(scanner, () -> p.scan(message, part)));
                }
            }
        } else {
            calls.add(CompletableFuture.completedFuture(ScanResult.failed(
                    "implements neither MessageScanner nor PartScanner")));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(done -> {
            ScanResult worst = ScanResult.clean();
            for (CompletableFuture<ScanResult> c : calls) {
                worst = Results.worse(worst, c.join());
            }
            return new ScannerOutcome(name(scanner), worst, Duration.ofNanos(System.nanoTime() - start));
        });
    }

    private CompletableFuture<ScanResult> call(Scanner scanner, ScanCall scan) {
        CompletableFuture<ScanResult> result = new CompletableFuture<>();
        Duration timeout = timeout(scanner);
        Future<?> task = workers.submit(() -> {
            try {
                ScanResult r = scan.run();
                result.complete(r == null ? ScanResult.failed("returned no result") : r);
            } catch (InterruptedException e) {
                result.complete(ScanResult.failed("interrupted"));
                Thread.currentThread().interrupt();
            } catch (Exception | LinkageError e) {
                String why = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
                result.complete(ScanResult.failed(why.replaceAll("\\s*\\R\\s*", " ")));
            }
        });
        java.util.concurrent.ScheduledFuture<?> deadline = timer.schedule(() -> {
            if (result.complete(ScanResult.failed("timed out after " + timeout.toMillis() + " ms"))) {
                task.cancel(true);
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        // answered in time: the deadline goes (else every scan would wait in the timer's queue for its whole timeout)
        result.whenComplete((r, e) -> deadline.cancel(false));
        return result;
    }

    private static Duration timeout(Scanner scanner) {
        try {
            Duration t = scanner.timeout();
            return t == null || t.isNegative() || t.isZero() ? Duration.ofSeconds(30) : t;
        } catch (RuntimeException e) {
            return Duration.ofSeconds(30);
        }
    }

    private static String name(Scanner scanner) {
        try {
            String n = scanner.name();
            return n == null || n.isBlank() ? scanner.getClass().getName() : n;
        } catch (RuntimeException e) {
            return scanner.getClass().getName();
        }
    }

    @FunctionalInterface
    private interface ScanCall {
        ScanResult run() throws Exception;
    }
}
