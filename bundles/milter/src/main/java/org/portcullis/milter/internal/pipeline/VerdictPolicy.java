package org.portcullis.milter.internal.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.portcullis.milter.internal.codec.MilterReply;
import org.portcullis.scanner.ScanResult;

/**
 * Combines the scanners' outcomes into the end-of-message replies:
 * <ol>
 * <li>any scanner found malware: reject, {@code 550 5.7.1} naming the threat;</li>
 * <li>a scanner failed (error, timeout) and is not set to fail open: tempfail, {@code 451 4.7.1},
 *     so the sender keeps the mail and retries;</li>
 * <li>something is suspicious, or the spam score reaches the quarantine score: quarantine (the
 *     MTA's hold queue) with the reason;</li>
 * <li>the spam score reaches the tag score: deliver, tagged as spam;</li>
 * <li>otherwise deliver.</li>
 * </ol>
 * Delivered and quarantined mail gets {@code X-Portcullis-*} headers: the verdict, the highest
 * spam score, and what each scanner said. Thread-safe (immutable).
 *
 * @param tagScore spam score from which mail is tagged as spam
 * @param quarantineScore spam score from which mail is quarantined
 * @param failOpen scanners whose failure lets the mail through (an admin's explicit choice)
 */
public record VerdictPolicy(double tagScore, double quarantineScore, Set<String> failOpen) {

    public VerdictPolicy {
        failOpen = Set.copyOf(failOpen);
    }

    public List<MilterReply> decide(List<ScannerOutcome> outcomes) {
        return decide(outcomes, null);
    }

    /**
     * @param allowEntry the Allow list entry that let this message skip spam and reputation
     *        scanners, named in an {@code X-Portcullis-List} header; {@code null} when none
     */
    public List<MilterReply> decide(List<ScannerOutcome> outcomes, String allowEntry) {
        for (ScannerOutcome o : outcomes) {
            if (o.result() instanceof ScanResult.Infected i) {
                return List.of(new MilterReply.ReplyCode("550 5.7.1 Message rejected: virus " + printable(i.threat()) + " found"));
            }
        }
        for (ScannerOutcome o : outcomes) {
            if (o.result() instanceof ScanResult.Failed && !failOpen.contains(o.scanner())) {
                return List.of(new MilterReply.ReplyCode("451 4.7.1 Message could not be scanned now, please try again later"));
            }
        }
        double score = outcomes.stream().map(ScannerOutcome::result).filter(ScanResult.Spam.class::isInstance)
                .mapToDouble(r -> ((ScanResult.Spam) r).score()).max().orElse(Double.NaN);
        String suspicious = outcomes.stream().filter(o -> o.result() instanceof ScanResult.Suspicious)
                .map(o -> o.scanner() + ": " + ((ScanResult.Suspicious) o.result()).reason()).collect(Collectors.joining("; "));
        String verdict;
        String quarantine = null;
        if (!suspicious.isEmpty()) {
            verdict = "suspicious";
            quarantine = suspicious;
        } else if (!Double.isNaN(score) && score >= quarantineScore) {
            verdict = "spam";
            quarantine = "spam score " + format(score);
        } else if (!Double.isNaN(score) && score >= tagScore) {
            verdict = "spam";
        } else {
            verdict = "clean";
        }
        List<MilterReply> replies = new ArrayList<>();
        replies.add(new MilterReply.AddHeader("X-Portcullis-Verdict", verdict));
        if (!Double.isNaN(score)) {
            replies.add(new MilterReply.AddHeader("X-Portcullis-Score", format(score)));
        }
        replies.add(new MilterReply.AddHeader("X-Portcullis-Scanners", outcomes.stream()
                .map(o -> o.scanner() + "=" + kind(o)).collect(Collectors.joining(", "))));
        if (allowEntry != null) {
            replies.add(new MilterReply.AddHeader("X-Portcullis-List", "allow " + printable(allowEntry)));
        }
        if (quarantine != null) {
            replies.add(new MilterReply.Quarantine(printable(quarantine)));
        }
        replies.add(MilterReply.Action.ACCEPT);
        return replies;
    }

    private String kind(ScannerOutcome o) {
        ScanResult r = o.result();
        if (r instanceof ScanResult.Failed) {
            return "failed(fail-open)";
        }
        if (r instanceof ScanResult.Spam s) {
            return "spam(" + format(s.score()) + ")";
        }
        return r instanceof ScanResult.Suspicious ? "suspicious" : "clean";
    }

    private static String format(double score) {
        return String.format(Locale.ROOT, "%.1f", score);
    }

    /** One line of printable ISO-8859-1, at most 200 characters, safe in a reply or header. */
    static String printable(String s) {
        String line = s.replaceAll("[\\x00-\\x1f\\x7f]+", " ").replaceAll("[^\\x20-\\xff]", "?").replaceAll(" {2,}", " ").strip();
        return line.length() > 200 ? line.substring(0, 197) + "..." : line;
    }
}
