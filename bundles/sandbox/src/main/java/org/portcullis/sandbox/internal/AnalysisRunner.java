package org.portcullis.sandbox.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.portcullis.sandbox.Finding;
import org.portcullis.sandbox.SandboxAnalyzer;
import org.portcullis.scanner.Part;

/**
 * Runs every analyser on every attachment of one message at once, on a bounded pool; each call
 * has its analyser's deadline from the moment it starts, after which it counts as failed and its
 * thread is interrupted.
 */
final class AnalysisRunner {

    /** What the analysis of one message came to. */
    sealed interface Result {
        /** Every analyser found every attachment clean. */
        record Clean(int analyses) implements Result {
        }

        /** At least one finding said malicious; {@code findings} are those lines ({@code analyser: file: reason}). */
        record Malicious(List<String> findings) implements Result {
            public Malicious {
                findings = List.copyOf(findings);
            }
        }

        /** Nothing malicious, but at least one call failed (threw, timed out, or no analyser is installed). */
        record Failed(String why) implements Result {
        }
    }

    private final ExecutorService pool;
    private final int threads;
    private final ScheduledExecutorService watchdog;

    /**
     * @param threads the pool's size (for the wait's backstop)
     * @param watchdog runs the deadlines: it must never be busy waiting for an analysis
     */
    AnalysisRunner(ExecutorService pool, int threads, ScheduledExecutorService watchdog) {
        this.pool = pool;
        this.threads = threads;
        this.watchdog = watchdog;
    }

    Result run(List<Part> parts, List<SandboxAnalyzer> analyzers) throws InterruptedException {
        List<Part> attachments = parts.stream().filter(p -> !p.container()).toList();
        if (analyzers.isEmpty()) {
            return new Result.Failed("no sandbox analyser is installed");
        }
        List<CompletableFuture<String>> calls = new ArrayList<>();
        for (Part part : attachments) {
            for (SandboxAnalyzer analyzer : analyzers) {
                calls.add(call(analyzer, part));
            }
        }
        // backstop: calls that never start (the pool's threads all stuck in analysers that ignore
        // interrupts) would never meet their deadline; the whole wait is bounded too
        long longest = analyzers.stream().mapToLong(a -> a.deadline().toMillis()).max().orElse(0);
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(longest * (1 + calls.size() / Math.max(1, threads)) + 5_000);
        List<String> malicious = new ArrayList<>();
        String failure = null;
        for (CompletableFuture<String> c : calls) {
            try {
                String finding = c.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (finding != null) {
                    malicious.add(finding);
                }
            } catch (ExecutionException e) {
                failure = failure == null ? e.getCause().getMessage() : failure;
            } catch (TimeoutException e) {
                failure = failure == null ? "the analyses did not finish in time (the pool is busy with analysers that do not stop)" : failure;
            }
        }
        if (!malicious.isEmpty()) {
            return new Result.Malicious(malicious);
        }
        return failure != null ? new Result.Failed(failure) : new Result.Clean(calls.size());
    }

    /** One analyser on one attachment: completes with null (clean), the finding's line (malicious), or the failure. */
    private CompletableFuture<String> call(SandboxAnalyzer analyzer, Part part) {
        CompletableFuture<String> result = new CompletableFuture<>();
        String what = analyzer.name() + ": " + part.filename().orElse(part.path());
        pool.execute(() -> {
            Thread thread = Thread.currentThread();
            Object lock = new Object();
            boolean[] done = {false};
            long millis = analyzer.deadline().toMillis();
            ScheduledFuture<?> guard = watchdog.schedule(() -> {
                result.completeExceptionally(new TimeoutException(what + ": no answer within " + millis + " ms"));
                synchronized (lock) {
                    if (!done[0]) {
                        thread.interrupt();
                    }
                }
            }, millis, TimeUnit.MILLISECONDS);
            try {
                Finding f = analyzer.analyze(part);
                if (f == null) {
                    throw new IllegalStateException("answered nothing");
                }
                result.complete(f.malicious() ? what + ": " + f.reason() : null);
            } catch (Exception | LinkageError e) {
                result.completeExceptionally(new IllegalStateException(what + ": " + e, e));
            } finally {
                guard.cancel(false);
                synchronized (lock) {
                    done[0] = true;
                }
                Thread.interrupted(); // a late interrupt is not the next task's
            }
        });
        return result;
    }
}
