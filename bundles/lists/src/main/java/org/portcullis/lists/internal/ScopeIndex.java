package org.portcullis.lists.internal;

import java.time.Instant;
import java.util.List;

import org.portcullis.lists.ListEntry;
import org.portcullis.lists.ListType;
import org.portcullis.lists.Pattern;

/**
 * The entries of one scope (global, one domain, or one user).
 *
 * <p>Each kind of pattern — envelope sender, client address, each header From address — gives
 * one vote, its most specific matching entry (an address over its domain, a domain over
 * {@code *.} of itself, a subdomain's wildcard over its parent's, a longer network prefix over a
 * shorter one); between equally specific entries (the same pattern in both lists) Block wins.
 * Then any Block vote beats every Allow vote: the kinds say different things about a message,
 * and an Allow for one of them must not let through what another blocks.
 */
final class ScopeIndex {

    // made on first use: most scopes (one user's list) hold a handful of entries of one kind
    private NameTable sender;
    private NameTable from;
    private IpTable ips;

    void add(ListEntry e) {
        Pattern p = e.pattern();
        String v = p.value();
        switch (p.kind()) {
            case SENDER_ADDRESS -> sender().addAddress(v, e);
            case SENDER_DOMAIN -> sender().addDomain(v, e);
            case SENDER_SUBDOMAINS -> sender().addWildcard(v.substring(2), e);
            case CLIENT_IP -> ips().add(p, e);
            case FROM_ADDRESS -> from().addAddress(v.substring(5), e);
            case FROM_DOMAIN -> from().addDomain(v.substring(5), e);
            case FROM_SUBDOMAINS -> from().addWildcard(v.substring(7), e);
        }
    }

    /**
     * Adds the active entries of this scope matching the query to {@code out} (per kind, most
     * specific first; kinds in the order envelope sender, client address, header From) and
     * returns the one that decides in this scope, or {@code null} when none matches.
     *
     * @param votes when not {@code null}, receives each kind's vote, for explanations
     */
    ListEntry decide(Query q, Instant now, List<ListEntry> out, List<ListEntry> votes) {
        ListEntry decisive = null;
        if (sender != null) {
            int start = out.size();
            sender.collect(q.sender(), now, out);
            decisive = stronger(decisive, vote(out, start, votes));
        }
        if (ips != null) {
            int start = out.size();
            ips.collect(q.client(), now, out);
            decisive = stronger(decisive, vote(out, start, votes));
        }
        if (from != null) {
            for (String f : q.headerFrom()) {
                int start = out.size();
                from.collect(f, now, out);
                decisive = stronger(decisive, vote(out, start, votes));
            }
        }
        return decisive;
    }

    /** The most specific of the matches from {@code start} on (the first), Block over Allow on the same pattern. */
    private static ListEntry vote(List<ListEntry> out, int start, List<ListEntry> votes) {
        if (start == out.size()) {
            return null;
        }
        ListEntry first = out.get(start);
        ListEntry vote = first;
        for (int i = start + 1; i < out.size() && samePattern(out.get(i), first); i++) {
            if (out.get(i).list() == ListType.BLOCK) {
                vote = out.get(i);
            }
        }
        if (votes != null) {
            votes.add(vote);
        }
        return vote;
    }

    static boolean samePattern(ListEntry a, ListEntry b) {
        return a.pattern().kind() == b.pattern().kind() && a.pattern().value().equals(b.pattern().value());
    }

    /** Which part of the message an entry looks at: 0 envelope sender, 1 client address, 2 header From. */
    static int part(ListEntry e) {
        Pattern.Kind k = e.pattern().kind();
        return k == Pattern.Kind.CLIENT_IP ? 1 : k.headerFrom() ? 2 : 0;
    }

    private static ListEntry stronger(ListEntry sofar, ListEntry vote) {
        if (sofar == null) {
            return vote;
        }
        return vote != null && vote.list() == ListType.BLOCK && sofar.list() != ListType.BLOCK ? vote : sofar;
    }

    private NameTable sender() {
        return sender == null ? sender = new NameTable() : sender;
    }

    private NameTable from() {
        return from == null ? from = new NameTable() : from;
    }

    private IpTable ips() {
        return ips == null ? ips = new IpTable() : ips;
    }
}
