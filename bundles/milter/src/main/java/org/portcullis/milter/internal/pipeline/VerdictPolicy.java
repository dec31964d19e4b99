package org.portcullis.milter.internal.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.portcullis.policy.Verdict;
import org.portcullis.scanner.ScanResult;

/**
 * Combines the scanners' outcomes into the message's {@link Verdict}:
 * <ol>
 * <li>any scanner found malware: {@link Verdict.Reject}, {@code 550 5.7.1} naming the threat;</li>
 * <li>a scanner failed (error, timeout) and is not set to fail open: {@link Verdict.Tempfail},
 *     {@code 451 4.7.1}, so the sender keeps the mail and retries;</li>
 * <li>something is suspicious, or the spam score reaches the quarantine score:
 *     {@link Verdict.Quarantine} with the reason;</li>
 * <li>the spam score reaches the tag score: {@link Verdict.Tag};</li>
 * <li>otherwise {@link Verdict.Deliver}.</li>
 * </ol>
 * Delivered and held mail gets {@code X-Portcullis-*} headers: the verdict ({@code clean},
 * {@code spam}, {@code suspicious}, or {@code unscanned} when no scanner looked at it), the
 * highest spam score, what each scanner said, and the Allow list entry that applied. Thread-safe
 * (immutable).
 *
 * @param tagScore spam score from which mail is tagged as spam
 * @param quarantineScore spam score from which mail is quarantined
 * @param failOpen scanners whose failure lets the mail through (an admin's explicit choice)
 */
public record VerdictPolicy(double tagScore, double quarantineScore, Set<String> failOpen) {

    public VerdictPolicy {
        failOpen = Set.copyOf(failOpen);
    }

    public Verdict decide(List<ScannerOutcome> outcomes) {
        return decide(outcomes, null);
    }

    /**
     * @param allowEntry the Allow list entry that let this message skip spam and reputation
     *        scanners, named in an {@code X-Portcullis-List} header; {@code null} when none
     */
    public Verdict decide(List<ScannerOutcome> outcomes, String allowEntry) {
        for (ScannerOutcome o : outcomes) {
            if (o.result() instanceof ScanResult.Infected i) {
                return new Verdict.Reject("550 5.7.1 Message rejected: virus " + Verdict.oneLine(i.threat()) + " found");
            }
        }
        for (ScannerOutcome o : outcomes) {
            if (o.result() instanceof ScanResult.Failed && !failOpen.contains(o.scanner())) {
                return new Verdict.Tempfail("451 4.7.1 Message could not be scanned now, please try again later");
            }
        }
        double score = score(outcomes);
        String suspicious = outcomes.stream().filter(o -> o.result() instanceof ScanResult.Suspicious)
                .map(o -> o.scanner() + ": " + ((ScanResult.Suspicious) o.result()).reason()).collect(Collectors.joining("; "));
        boolean spam = !Double.isNaN(score) && score >= tagScore;
        String label = outcomes.isEmpty() ? "unscanned" : !suspicious.isEmpty() ? "suspicious" : spam ? "spam" : "clean";
        List<Verdict.Header> headers = new ArrayList<>();
        headers.add(new Verdict.Header("X-Portcullis-Verdict", label));
        if (!Double.isNaN(score)) {
            headers.add(new Verdict.Header("X-Portcullis-Score", format(score)));
        }
        headers.add(new Verdict.Header("X-Portcullis-Scanners", outcomes.stream()
                .map(o -> o.scanner() + "=" + kind(o)).collect(Collectors.joining(", "))));
        if (allowEntry != null) {
            headers.add(new Verdict.Header("X-Portcullis-List", Verdict.oneLine(allowEntry)));
        }
        if (!suspicious.isEmpty()) {
            return new Verdict.Quarantine(headers, suspicious);
        }
        if (!Double.isNaN(score) && score >= quarantineScore) {
            return new Verdict.Quarantine(headers, "spam score " + format(score));
        }
        return spam ? new Verdict.Tag(headers) : new Verdict.Deliver(headers);
    }

    /** The highest spam score among the outcomes, or NaN when no scanner gave one. */
    static double score(List<ScannerOutcome> outcomes) {
        return outcomes.stream().map(ScannerOutcome::result).filter(ScanResult.Spam.class::isInstance)
                .mapToDouble(r -> ((ScanResult.Spam) r).score()).max().orElse(Double.NaN);
    }

    static String kind(ScannerOutcome o) {
        ScanResult r = o.result();
        if (r instanceof ScanResult.Failed) {
            return "failed(fail-open)";
        }
        if (r instanceof ScanResult.Spam s) {
            return "spam(" + format(s.score()) + ")";
        }
        return r instanceof ScanResult.Suspicious ? "suspicious" : "clean";
    }

    static String format(double score) {
        return String.format(Locale.ROOT, "%.1f", score);
    }
}
