package org.portcullis.milter.internal.pipeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.portcullis.milter.internal.codec.MilterReply;

/**
 * Headers named like Portcullis's own ({@code X-Portcullis-*}) that arrived with the message were
 * written by the sender or an earlier hop, and could fool whatever reads the verdict downstream.
 * Delivered mail has them deleted before Portcullis adds its own.
 */
final class ForgedHeaders {

    static final String PREFIX = "x-portcullis-";

    private ForgedHeaders() {
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

    /** {@code replies} with the removals first, when the mail is delivered (the last reply accepts it). */
    static List<MilterReply> removeBeforeDelivery(List<Map.Entry<String, String>> received, List<MilterReply> replies) {
        if (replies.isEmpty() || replies.get(replies.size() - 1) != MilterReply.Action.ACCEPT) {
            return replies;
        }
        List<MilterReply> removals = removals(received);
        if (removals.isEmpty()) {
            return replies;
        }
        List<MilterReply> all = new ArrayList<>(removals);
        all.addAll(replies);
        return all;
    }
}
