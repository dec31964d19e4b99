package org.portcullis.milter.internal.pipeline;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.portcullis.milter.internal.codec.MilterCommand;
import org.portcullis.milter.internal.session.MilterFilter;
import org.portcullis.milter.internal.session.Transaction;
import org.portcullis.policy.ListDecision;
import org.portcullis.policy.ListPolicy;
import org.portcullis.policy.ListQuery;
import org.portcullis.policy.MessageHold;
import org.portcullis.policy.Verdict;
import org.portcullis.scanner.ScanResult;
import org.portcullis.scanner.Scanner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The filter every connection gets: maintenance answers new messages with a 4xx at MAIL, where
 * the message also takes its snapshot of the scanners present (a scanner installed later is used
 * from the next message; one removed finishes the messages that started with it); at end of
 * message those scanners run and the policy decides. With no scanner the message is not even
 * spooled. Parsing and scanning run on the worker pool, never on the I/O thread.
 *
 * <p>The Allow and Block lists ({@link ListPolicy}, when one is registered) are asked at each
 * RCPT and at end of message, as that interface describes: Block rejects with {@code 550 5.7.1},
 * Allow skips the spam and reputation scanners of that message only.
 */
public final class PipelineFilter implements MilterFilter {

    static final Verdict MAINTENANCE = new Verdict.Tempfail("451 4.3.2 Service in maintenance, please try again later");
    static final Verdict LISTS_FAILED = new Verdict.Tempfail("451 4.7.1 Sender could not be checked now, please try again later");

    private static final Logger LOG = LoggerFactory.getLogger(PipelineFilter.class);
    private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final BooleanSupplier maintenance;
    private final Supplier<List<Scanner>> scanners;
    private final Supplier<ListPolicy> lists;
    private final ScanRunner runner;
    private final Supplier<VerdictPolicy> policy;
    private final ExecutorService workers;
    private final Path spoolDirectory;
    private final int memoryLimit;
    private final MilterStats stats;
    private final Supplier<MessageHold> quarantine;
    /** The scanners the current message started with (one message at a time per connection). */
    private List<Scanner> snapshot = List.of();
    /** The lists the current message started with, or {@code null}. */
    private ListPolicy listSnapshot;
    /** Recipients of the current message the lists did not block. */
    private final List<String> accepted = new ArrayList<>();
    /** The Allow entry that matched every accepted recipient so far, or {@code null}. */
    private String envelopeAllow;
    /** The current message's client address and envelope sender, as the lists see them. */
    private Optional<InetAddress> clientAddress = Optional.empty();
    private String sender = "";

    /**
     * @param lists the Allow/Block lists now, or {@code null} when none is registered
     * @param quarantine where held mail goes now, or {@code null} when no quarantine is installed
     *        (the MTA's hold queue keeps it then)
     */
    public PipelineFilter(BooleanSupplier maintenance, Supplier<List<Scanner>> scanners, Supplier<ListPolicy> lists,
            ScanRunner runner, Supplier<VerdictPolicy> policy, ExecutorService workers, Path spoolDirectory, int memoryLimit,
            MilterStats stats, Supplier<MessageHold> quarantine) {
        this.maintenance = maintenance;
        this.scanners = scanners;
        this.lists = lists;
        this.runner = runner;
        this.policy = policy;
        this.workers = workers;
        this.spoolDirectory = spoolDirectory;
        this.memoryLimit = memoryLimit;
        this.stats = stats;
        this.quarantine = quarantine;
    }

    @Override
    public Optional<Verdict> mail(Transaction tx) {
        if (maintenance.getAsBoolean()) {
            stats.maintenance();
            return Optional.of(MAINTENANCE);
        }
        // a message keeps the scanners present when it starts; with none, nothing needs its content
        snapshot = List.copyOf(scanners.get());
        listSnapshot = lists.get();
        if (listSnapshot != null) {
            // the lists ask for it at every RCPT and at the end: parse it once per message
            clientAddress = client(tx);
            sender = Transaction.unbracket(tx.sender());
        }
        accepted.clear();
        envelopeAllow = null;
        if (snapshot.isEmpty()) {
            tx.discardContent();
        }
        return Optional.empty();
    }

    @Override
    public Optional<Verdict> rcpt(Transaction tx, String recipient) {
        if (listSnapshot == null) {
            return Optional.empty();
        }
        String rcpt = Transaction.unbracket(recipient);
        ListDecision decision;
        try {
            decision = listSnapshot.atRecipient(new ListQuery(sender, clientAddress, List.of(rcpt), List.of()));
        } catch (RuntimeException e) {
            LOG.error("Allow/Block lists failed at RCPT for {}; answering a temporary failure", rcpt, e);
            return Optional.of(LISTS_FAILED);
        }
        if (decision instanceof ListDecision.Block block) {
            LOG.info("Block list entry {} rejects {} for {}", block.entry(), sender, rcpt);
            return Optional.of(blocked(block));
        }
        envelopeAllow = decision instanceof ListDecision.Allow allow && (accepted.isEmpty() || envelopeAllow != null)
                ? allow.entry() : null;
        accepted.add(rcpt);
        return Optional.empty();
    }

    @Override
    public CompletionStage<Verdict> endOfMessage(Transaction tx) {
        VerdictPolicy rules = policy.get();
        long start = System.nanoTime();
        String allowEntry;
        try {
            ListDecision listed = listsAtEnd(tx);
            if (listed instanceof ListDecision.Block block) {
                tx.trace().list(block.entry());
                Verdict verdict = blocked(block);
                stats.message(verdict, System.nanoTime() - start);
                return CompletableFuture.completedFuture(verdict);
            }
            allowEntry = listed instanceof ListDecision.Allow allow ? allow.entry() : null;
            tx.trace().list(allowEntry);
        } catch (RuntimeException e) {
            LOG.error("Allow/Block lists failed at end of message; answering a temporary failure", e);
            stats.error();
            return CompletableFuture.completedFuture(LISTS_FAILED);
        }
        List<Scanner> snapshot = allowEntry == null ? this.snapshot
                : this.snapshot.stream().filter(s -> !skippedWhenAllowed(s)).toList();
        if (snapshot.isEmpty()) {
            // nothing to wait for: decide on the I/O thread, no hand-off
            Verdict verdict = rules.decide(List.of(), allowEntry);
            stats.message(verdict, System.nanoTime() - start);
            return CompletableFuture.completedFuture(verdict);
        }
        CompletableFuture<Verdict> decision = CompletableFuture.supplyAsync(
                () -> SpooledMessage.of(tx, spoolDirectory, memoryLimit), workers).thenCompose(message -> runner.run(message, snapshot)
                .whenComplete((outcomes, error) -> message.close())
                .thenApply(outcomes -> {
                    outcomes.forEach(stats::outcome);
                    trace(tx, outcomes);
                    Verdict verdict = rules.decide(outcomes, allowEntry);
                    // a released copy's pass is recorded when it is to be delivered (held → delivered instead, or clean or
                    // tagged anyway): the release that sent it learns from the pass that the copy got through, should the
                    // releasing node stop before it could mark the release; a copy refused or deferred records nothing
                    boolean delivers = verdict instanceof Verdict.Quarantine || verdict instanceof Verdict.Deliver
                            || verdict instanceof Verdict.Tag;
                    boolean releasedCopy = delivers && releasedCopy(tx);
                    if (verdict instanceof Verdict.Quarantine held) {
                        if (releasedCopy) {
                            return new Verdict.Deliver(held.headers());
                        }
                        hold(tx, held, outcomes);
                    }
                    return verdict;
                }));
        return decision.whenComplete((verdict, error) -> {
            if (error != null) {
                stats.error();
            } else {
                stats.message(verdict, System.nanoTime() - start);
            }
        });
    }

    /**
     * Stores a held message in the quarantine, when one is installed, before the MTA is answered
     * (on a worker thread): the session then tells the MTA to discard its copy. When storing
     * fails the verdict fails, and the MTA is answered with a temporary failure: the message
     * stays with the sender's MTA, never lost between the two.
     */
    private void hold(Transaction tx, Verdict.Quarantine verdict, List<ScannerOutcome> outcomes) {
        MessageHold store = quarantine.get();
        if (store == null) {
            return;
        }
        MessageHold.Held held = new MessageHold.Held(tx.macro("i"), tx.messageId(), Transaction.unbracket(tx.sender()),
                tx.recipients().stream().map(Transaction::unbracket).toList(), tx.client() == null ? "" : tx.client().address(),
                category(outcomes, snapshot.stream().filter(s -> s.category() == Scanner.Category.SANDBOX).map(Scanner::name)
                        .collect(java.util.stream.Collectors.toSet())), verdict.reason(), tx.trace().scanners());
        try (java.io.InputStream content = HeldCopy.open(tx, verdict.headers())) {
            tx.trace().held(store.hold(held, content));
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalStateException("the quarantine could not store the held message: " + e.getMessage(), e);
        }
    }

    /**
     * Whether the message is a copy the quarantine released, passing the milter again (its signed
     * {@link MessageHold#RELEASE_HEADER}, once): it is delivered rather than held a second time, and
     * like every received {@code X-Portcullis-*} header that one is removed on delivery. A forged
     * or replayed header changes nothing. A quarantine that cannot check fails the verdict (tempfail).
     */
    private boolean releasedCopy(Transaction tx) {
        MessageHold store = quarantine.get();
        if (store == null) {
            return false;
        }
        for (java.util.Map.Entry<String, String> h : tx.headers()) {
            if (h.getKey().equalsIgnoreCase(MessageHold.RELEASE_HEADER)) {
                try {
                    return store.releasedCopy(h.getValue(), tx.messageId(), tx.recipients().stream().map(Transaction::unbracket).toList());
                } catch (java.io.IOException | RuntimeException e) {
                    throw new IllegalStateException("the quarantine could not check a released copy's header: " + e.getMessage(), e);
                }
            }
        }
        return false;
    }

    /**
     * Why the quarantine files a held message: a virus; the sandbox's gate (a suspicious result
     * from a scanner of category {@code SANDBOX}, named in {@code sandboxes}); something else
     * suspicious; else its spam score.
     */
    static MessageHold.Category category(List<ScannerOutcome> outcomes, java.util.Set<String> sandboxes) {
        if (outcomes.stream().anyMatch(o -> o.result() instanceof ScanResult.Infected)) {
            return MessageHold.Category.VIRUS;
        }
        if (outcomes.stream().anyMatch(o -> o.result() instanceof ScanResult.Suspicious && sandboxes.contains(o.scanner()))) {
            return MessageHold.Category.SANDBOX;
        }
        if (outcomes.stream().anyMatch(o -> o.result() instanceof ScanResult.Suspicious)) {
            return MessageHold.Category.POLICY;
        }
        return MessageHold.Category.SPAM;
    }

    /** Each scanner's answer and time, and the spam score, for the message's mail log line. */
    private static void trace(Transaction tx, List<ScannerOutcome> outcomes) {
        for (ScannerOutcome o : outcomes) {
            tx.trace().scanner(o.scanner(), describe(o.result()), o.took().toMillis());
        }
        double score = VerdictPolicy.score(outcomes);
        tx.trace().score(Double.isNaN(score) ? "" : VerdictPolicy.format(score));
    }

    /** A scanner's result as the mail log shows it: {@code clean}, {@code infected(X)}, {@code spam(5.1)}, … */
    static String describe(ScanResult r) {
        if (r instanceof ScanResult.Infected i) {
            return "infected(" + i.threat() + ")";
        }
        if (r instanceof ScanResult.Spam s) {
            return "spam(" + VerdictPolicy.format(s.score()) + ")";
        }
        if (r instanceof ScanResult.Suspicious s) {
            return "suspicious(" + s.reason() + ")";
        }
        if (r instanceof ScanResult.Failed f) {
            return "failed(" + f.reason() + ")";
        }
        return "clean";
    }

    /** The end-of-message answer of the lists: theirs, or else the Allow every recipient had at RCPT. */
    private ListDecision listsAtEnd(Transaction tx) {
        if (listSnapshot == null) {
            return ListDecision.NONE;
        }
        List<String> from = tx.headers().stream().filter(h -> h.getKey().equalsIgnoreCase("From")).map(Map.Entry::getValue).toList();
        ListDecision decision = listSnapshot.atEndOfMessage(new ListQuery(sender, clientAddress, accepted, from));
        if (decision instanceof ListDecision.None && envelopeAllow != null) {
            return ListDecision.allow(envelopeAllow);
        }
        return decision;
    }

    static boolean skippedWhenAllowed(Scanner scanner) {
        Scanner.Category category = scanner.category();
        return category == Scanner.Category.SPAM || category == Scanner.Category.REPUTATION;
    }

    private static Verdict blocked(ListDecision.Block block) {
        return new Verdict.Reject("550 5.7.1 " + Verdict.oneLine(block.reason()));
    }

    /** The client's IP address when the MTA sent one; never a DNS lookup. */
    static Optional<InetAddress> client(Transaction tx) {
        MilterCommand.Connect c = tx.client();
        if (c == null || (c.family() != MilterCommand.Family.INET && c.family() != MilterCommand.Family.INET6)) {
            return Optional.empty();
        }
        String literal = c.address().startsWith("IPv6:") ? c.address().substring(5) : c.address();
        // an IPv4 literal, or anything with a colon (Java takes that as IPv6 only): no lookup either way
        if (!IPV4.matcher(literal).matches() && !literal.contains(":")) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(literal));
        } catch (java.net.UnknownHostException e) {
            return Optional.empty();
        }
    }
}
