package org.portcullis.milter.internal.pipeline;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.portcullis.policy.Verdict;
import org.portcullis.scanner.ScanResult;

/**
 * What the milter has done since it started: messages per verdict, decision latency (p50/p99
 * over the last {@value #WINDOW} messages), and for each scanner its calls, failures and last
 * error. Cheap to record from many threads; read by {@code milter:status}, {@code milter:scanners}
 * and JMX.
 */
public final class MilterStats {

    /** How many recent decisions the latency percentiles are computed over. */
    static final int WINDOW = 8192;

    /** What is counted, in the order it is shown: each verdict kind, then maintenance refusals and failed decisions. */
    public static final List<String> VERDICTS = List.of("deliver", "tag", "quarantine", "reject", "tempfail", "discard", "maintenance",
            "errors");

    private final Map<String, LongAdder> verdicts = new ConcurrentHashMap<>();
    private final long[] latencies = new long[WINDOW];
    private final AtomicLong recorded = new AtomicLong();
    private final Map<String, ScannerStats> scanners = new ConcurrentHashMap<>();

    /** One scanner's figures. */
    public static final class ScannerStats {
        final LongAdder calls = new LongAdder();
        final LongAdder failures = new LongAdder();
        volatile String lastResult = "";
        volatile String lastError = "";
        volatile Instant lastErrorAt;

        public long calls() {
            return calls.sum();
        }

        public long failures() {
            return failures.sum();
        }

        /** {@code ok} when the last call answered, {@code failing} when it failed. */
        public String health() {
            return "failed".equals(lastResult) ? "failing" : "ok";
        }

        public String lastError() {
            return lastErrorAt == null ? "" : lastErrorAt + " " + lastError;
        }
    }

    /** A message decided with {@code verdict}, in {@code nanos} from end of message to verdict. */
    void message(Verdict verdict, long nanos) {
        increment(verdict.kind().id());
        latencies[(int) (recorded.getAndIncrement() % WINDOW)] = nanos;
    }

    void error() {
        increment("errors");
    }

    void maintenance() {
        increment("maintenance");
    }

    void outcome(ScannerOutcome o) {
        ScannerStats s = scanners.computeIfAbsent(o.scanner(), n -> new ScannerStats());
        s.calls.increment();
        if (o.result() instanceof ScanResult.Failed f) {
            s.failures.increment();
            s.lastResult = "failed";
            s.lastError = f.reason();
            s.lastErrorAt = Instant.now();
        } else {
            s.lastResult = "answered";
        }
    }

    public long count(String verdict) {
        LongAdder a = verdicts.get(verdict);
        return a == null ? 0 : a.sum();
    }

    /** Messages decided (maintenance refusals and failed decisions are not counted here). */
    public long messages() {
        return recorded.get();
    }

    /** The latency percentile in milliseconds over the recent window, 0 before any message. */
    public double latencyMillis(double percentile) {
        int n = (int) Math.min(recorded.get(), WINDOW);
        if (n == 0) {
            return 0;
        }
        long[] copy = Arrays.copyOf(latencies, n);
        Arrays.sort(copy);
        int index = (int) Math.ceil(percentile / 100.0 * n) - 1;
        return copy[Math.max(0, Math.min(n - 1, index))] / 1e6;
    }

    /** Every scanner seen so far, by name. */
    public Map<String, ScannerStats> scanners() {
        return new TreeMap<>(scanners);
    }

    private void increment(String verdict) {
        verdicts.computeIfAbsent(verdict, v -> new LongAdder()).increment();
    }
}
