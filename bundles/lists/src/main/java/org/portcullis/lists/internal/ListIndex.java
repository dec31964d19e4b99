package org.portcullis.lists.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.portcullis.lists.ListEntry;
import org.portcullis.lists.ListType;
import org.portcullis.lists.Names;

/**
 * Every entry, indexed for the message path: an immutable snapshot, replaced whole when entries
 * change, so lookups take no lock and never touch the database.
 *
 * <p>Semantics: for a recipient, the user's list ({@code user:<recipient>}) is asked first, then
 * the recipient domain's ({@code domain:<domain>}), then the global one; the first scope with a
 * matching active entry decides, and within it the most specific entry of each pattern kind
 * votes (see {@link ScopeIndex}).
 */
final class ListIndex {

    static final ListIndex EMPTY = of(List.of());

    private final ScopeIndex global = new ScopeIndex();
    private final Map<String, ScopeIndex> domains = new HashMap<>();
    private final Map<String, ScopeIndex> users = new HashMap<>();
    private final int size;

    private ListIndex(int size) {
        this.size = size;
    }

    static ListIndex of(Collection<ListEntry> entries) {
        ListIndex index = new ListIndex(entries.size());
        for (ListEntry e : entries) {
            ScopeIndex s = switch (e.scope().kind()) {
                case GLOBAL -> index.global;
                case DOMAIN -> index.domains.computeIfAbsent(e.scope().value(), k -> new ScopeIndex());
                case USER -> index.users.computeIfAbsent(e.scope().value(), k -> new ScopeIndex());
            };
            s.add(e);
        }
        return index;
    }

    int size() {
        return size;
    }

    /** The decision alone: stops at the first scope that decides. */
    Judgement judge(Query q, Instant now) {
        return judge(q, now, false);
    }

    /** The decision and every matching entry it overrode, for explanations ({@code lists:check}). */
    Judgement explain(Query q, Instant now) {
        return judge(q, now, true);
    }

    private Judgement judge(Query q, Instant now, boolean explain) {
        ListEntry decisive = null;
        List<ListEntry> overridden = explain ? new ArrayList<>() : List.of();
        List<String> reasons = explain ? new ArrayList<>() : List.of();
        List<ListEntry> matches = new ArrayList<>(4);
        List<ListEntry> votes = explain ? new ArrayList<>(4) : null;
        String recipient = q.recipient();
        for (int level = 0; level < 3; level++) {
            ScopeIndex scope = switch (level) {
                case 0 -> users.get(recipient);
                case 1 -> domains.isEmpty() ? null : domains.get(Names.domainOf(recipient));
                default -> global;
            };
            if (scope == null) {
                continue;
            }
            matches.clear();
            if (votes != null) {
                votes.clear();
            }
            ListEntry here = scope.decide(q, now, matches, votes);
            if (here == null) {
                continue;
            }
            if (decisive == null) {
                decisive = here;
                if (!explain) {
                    return new Judgement(decisive, List.of(), List.of());
                }
            }
            for (ListEntry m : matches) {
                if (m != decisive && !overridden.contains(m)) {
                    overridden.add(m);
                    reasons.add(reason(m, decisive, votes));
                }
            }
        }
        return decisive == null ? Judgement.NONE : new Judgement(decisive, List.copyOf(overridden), List.copyOf(reasons));
    }

    /** Why {@code lost} does not decide, given the decisive entry and the votes of {@code lost}'s scope. */
    private static String reason(ListEntry lost, ListEntry decisive, List<ListEntry> votes) {
        if (!lost.scope().equals(decisive.scope())) {
            return "its scope " + lost.scope() + " is less specific than " + decisive.scope() + " (user over domain over global)";
        }
        if (votes.contains(lost)) {
            return lost.list() == decisive.list()
                    ? "the same answer, from a pattern kind asked later (envelope sender, then client address, then header From)"
                    : "an Allow for one part of the message never overrides a Block for another part";
        }
        for (ListEntry v : votes) {
            if (ScopeIndex.samePattern(v, lost)) {
                return "the same pattern is on the Block list, which wins between equally specific entries";
            }
        }
        for (ListEntry v : votes) {
            if (ScopeIndex.part(v) == ScopeIndex.part(lost)) {
                return "less specific than " + v.pattern();
            }
        }
        return "less specific than " + decisive.pattern();
    }
}
