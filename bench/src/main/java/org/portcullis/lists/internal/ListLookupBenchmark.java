package org.portcullis.lists.internal;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One lookup in an index of one million entries, as the milter makes it for one recipient
 * (envelope sender, client address, header From against user, domain and global lists).
 * SampleTime mode: JMH reports the percentiles, p0.99 being the target (≤ 5 µs).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ListLookupBenchmark {

    private ListIndex index;
    private List<Query> queries;
    private final Instant now = Instant.parse("2026-11-28T12:00:00Z");
    private int next;

    @Setup(Level.Trial)
    public void build() {
        index = ListIndex.of(LargeLists.generate(1_000_000, 42));
        queries = LargeLists.queries(100_000, 7);
    }

    /** The same loop without the lookup: the floor of what this machine and JMH's timing can show. */
    @Benchmark
    public Query baseline() {
        Query q = queries.get(next);
        next = next + 1 == queries.size() ? 0 : next + 1;
        return q;
    }

    @Benchmark
    public Judgement judge() {
        Query q = queries.get(next);
        next = next + 1 == queries.size() ? 0 : next + 1;
        return index.judge(q, now);
    }
}
