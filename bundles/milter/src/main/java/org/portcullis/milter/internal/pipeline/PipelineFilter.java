package org.portcullis.milter.internal.pipeline;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.portcullis.milter.internal.codec.MilterReply;
import org.portcullis.milter.internal.session.MilterFilter;
import org.portcullis.milter.internal.session.Transaction;
import org.portcullis.scanner.Scanner;

/**
 * The filter every connection gets: maintenance answers new messages with a 4xx at MAIL, where
 * the message also takes its snapshot of the scanners present (a scanner installed later is used
 * from the next message; one removed finishes the messages that started with it); at end of
 * message those scanners run and the policy decides. With no scanner the message is not even
 * spooled. Parsing and scanning run on the worker pool, never on the I/O thread.
 */
public final class PipelineFilter implements MilterFilter {

    static final MilterReply MAINTENANCE = new MilterReply.ReplyCode(
            "451 4.3.2 Service in maintenance, please try again later");

    private final BooleanSupplier maintenance;
    private final Supplier<List<Scanner>> scanners;
    private final ScanRunner runner;
    private final Supplier<VerdictPolicy> policy;
    private final ExecutorService workers;
    private final Path spoolDirectory;
    private final int memoryLimit;
    private final MilterStats stats;
    /** The scanners the current message started with (one message at a time per connection). */
    private List<Scanner> snapshot = List.of();

    public PipelineFilter(BooleanSupplier maintenance, Supplier<List<Scanner>> scanners, ScanRunner runner,
            Supplier<VerdictPolicy> policy, ExecutorService workers, Path spoolDirectory, int memoryLimit, MilterStats stats) {
        this.maintenance = maintenance;
        this.scanners = scanners;
        this.runner = runner;
        this.policy = policy;
        this.workers = workers;
        this.spoolDirectory = spoolDirectory;
        this.memoryLimit = memoryLimit;
        this.stats = stats;
    }

    @Override
    public List<MilterReply> mail(Transaction tx) {
        if (maintenance.getAsBoolean()) {
            stats.maintenance();
            return List.of(MAINTENANCE);
        }
        // a message keeps the scanners present when it starts; with none, nothing needs its content
        snapshot = List.copyOf(scanners.get());
        if (snapshot.isEmpty()) {
            tx.discardContent();
        }
        return List.of();
    }

    @Override
    public List<MilterReply> rcpt(Transaction tx, String recipient) {
        return List.of();
    }

    @Override
    public CompletionStage<List<MilterReply>> endOfMessage(Transaction tx) {
        List<Scanner> snapshot = this.snapshot;
        VerdictPolicy rules = policy.get();
        long start = System.nanoTime();
        if (snapshot.isEmpty()) {
            // nothing to wait for: decide on the I/O thread, no hand-off
            List<MilterReply> replies = ForgedHeaders.removeBeforeDelivery(tx.headers(), rules.decide(List.of()));
            stats.message(replies, System.nanoTime() - start);
            return CompletableFuture.completedFuture(replies);
        }
        CompletableFuture<List<MilterReply>> decision = CompletableFuture.supplyAsync(
                () -> SpooledMessage.of(tx, spoolDirectory, memoryLimit), workers).thenCompose(message -> runner.run(message, snapshot)
                .whenComplete((outcomes, error) -> message.close())
                .thenApply(outcomes -> {
                    outcomes.forEach(stats::outcome);
                    return ForgedHeaders.removeBeforeDelivery(tx.headers(), rules.decide(outcomes));
                }));
        return decision.whenComplete((replies, error) -> {
            if (error != null) {
                stats.error();
            } else {
                stats.message(replies, System.nanoTime() - start);
            }
        });
    }
}
