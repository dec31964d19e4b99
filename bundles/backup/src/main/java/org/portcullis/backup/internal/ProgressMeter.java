package org.portcullis.backup.internal;

import java.util.function.Consumer;

import org.portcullis.backup.Progress;

/**
 * Counts parts and bytes of one phase and reports them at each part and every 32 MiB, not more
 * often. Totals are unknown (-1) while a backup is written or verified (the format does not count
 * its parts up front); the restore pass knows them from its verify pass; the last report of every
 * phase carries them.
 */
final class ProgressMeter {

    private static final long STEP = 32L << 20;

    private final Consumer<Progress> sink;
    private final String phase;
    private final int partsTotal;
    private final long bytesTotal;
    private String part = "";
    private int partsDone = -1;
    private long bytes;
    private long reported;

    ProgressMeter(Consumer<Progress> sink, String phase, int partsTotal, long bytesTotal) {
        this.sink = sink;
        this.phase = phase;
        this.partsTotal = partsTotal;
        this.bytesTotal = bytesTotal;
    }

    void part(String name) {
        partsDone++;
        part = name;
        report();
    }

    void bytes(long n) {
        bytes += n;
        if (bytes - reported >= STEP) {
            report();
        }
    }

    long bytes() {
        return bytes;
    }

    /** The phase is complete: its last report gives the totals, now known even where they were not at the start. */
    void done() {
        partsDone++;
        part = "";
        reported = bytes;
        sink.accept(new Progress(phase, part, Math.max(partsDone, 0), Math.max(partsDone, 0), bytes, bytes));
    }

    private void report() {
        reported = bytes;
        sink.accept(new Progress(phase, part, Math.max(partsDone, 0), partsTotal, bytes, bytesTotal));
    }
}
