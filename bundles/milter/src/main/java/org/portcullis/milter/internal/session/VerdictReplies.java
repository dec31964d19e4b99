package org.portcullis.milter.internal.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.portcullis.milter.internal.codec.MilterReply;
import org.portcullis.policy.Verdict;

/**
 * The one place a {@link Verdict} becomes milter replies. A delivered or held message first
 * loses every {@code X-Portcullis-*} header it arrived with (the sender or an earlier hop wrote
 * those, and whatever reads the verdict downstream must not be fooled), then gets the verdict's
 * headers; a held one is quarantined with its reason; then it is accepted. A held message the
 * quarantine has stored is discarded by the MTA instead. A refusal is its SMTP reply, a discard a
 * discard.
 */
public final class VerdictReplies {

    static final String PREFIX = "x-portcullis-";

    private VerdictReplies() {
    }

    /**
     * @param received the headers the message arrived with, in order (empty before DATA)
     */
    public static List<MilterReply> of(Verdict verdict, List<Map.Entry<String, String>> received) {
        return of(verdict, received, "");
    }

    /**
     * @param heldAs the quarantine id when the quarantine has stored the message (a held message
     *        is then discarded by the MTA: the quarantine owns it); empty when it has not (the MTA
     *        holds it in its hold queue)
     */
    public static List<MilterReply> of(Verdict verdict, List<Map.Entry<String, String>> received, String heldAs) {
        if (verdict instanceof Verdict.Quarantine && !heldAs.isEmpty()) {
            return List.of(MilterReply.Action.DISCARD);
        }
        if (verdict instanceof Verdict.Reject || verdict instanceof Verdict.Tempfail) {
            return List.of(new MilterReply.ReplyCode(verdict.reply()));
        }
        if (verdict instanceof Verdict.Discard) {
            return List.of(MilterReply.Action.DISCARD);
        }
        List<MilterReply> replies = new ArrayList<>(removals(received));
        for (Verdict.Header h : verdict.headers()) {
            replies.add(new MilterReply.AddHeader(h.name(), h.value()));
        }
        if (verdict instanceof Verdict.Quarantine q) {
            replies.add(new MilterReply.Quarantine(q.reason()));
        }
        replies.add(MilterReply.Action.ACCEPT);
        return replies;
    }

    /**
     * Deletions for every received {@code X-Portcullis-*} header: a header change with an empty
     * value at its occurrence index among headers of that name (case-insensitive, 1-based),
     * highest index first so each index still points at the same header when it is applied.
     */
    static List<MilterReply> removals(List<Map.Entry<String, String>> received) {
        Map<String, Integer> seen = new HashMap<>();
        List<MilterReply.ChangeHeader> deletions = new ArrayList<>();
        for (Map.Entry<String, String> h : received) {
            String lower = h.getKey().toLowerCase(Locale.ROOT);
            int index = seen.merge(lower, 1, Integer::sum);
            if (lower.startsWith(PREFIX)) {
                deletions.add(new MilterReply.ChangeHeader(index, h.getKey(), ""));
            }
        }
        List<MilterReply> result = new ArrayList<>();
        for (int i = deletions.size() - 1; i >= 0; i--) {
            result.add(deletions.get(i));
        }
        return result;
    }
}
