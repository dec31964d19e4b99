package org.portcullis.lists.internal;

import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;

import org.portcullis.lists.ListEntry;
import org.portcullis.lists.ListType;
import org.portcullis.lists.Names;
import org.portcullis.policy.ListDecision;
import org.portcullis.policy.ListPolicy;
import org.portcullis.policy.ListQuery;

/**
 * The milter's view of the lists: each question answered from the current in-memory index.
 * At RCPT the envelope sender and client address are judged for that recipient; at end of
 * message the header From is added and every accepted recipient is judged: a Block for any of
 * them rejects the message, an Allow for all of them allows it.
 */
final class IndexedListPolicy implements ListPolicy {

    private static final java.util.regex.Pattern BRACKETED = java.util.regex.Pattern.compile("<([^<>\\s]+@[^<>\\s]+)>");

    private final Supplier<ListIndex> index;
    private final Clock clock;

    IndexedListPolicy(Supplier<ListIndex> index, Clock clock) {
        this.index = index;
        this.clock = clock;
    }

    @Override
    public ListDecision atRecipient(ListQuery q) {
        String rcpt = Names.normalizeAddress(q.recipients().get(0));
        return decision(index.get().judge(query(q, rcpt, List.of()), clock.instant()));
    }

    @Override
    public ListDecision atEndOfMessage(ListQuery q) {
        List<String> from = headerAddresses(q.headerFrom());
        ListIndex now = index.get();
        ListEntry allowedBy = null;
        boolean allAllowed = !q.recipients().isEmpty();
        for (String r : q.recipients()) {
            Judgement j = now.judge(query(q, Names.normalizeAddress(r), from), clock.instant());
            if (j.decided() && j.decisive().list() == ListType.BLOCK) {
                return decision(j);
            }
            if (j.decided()) {
                allowedBy = allowedBy == null ? j.decisive() : allowedBy;
            } else {
                allAllowed = false;
            }
        }
        return allAllowed && allowedBy != null ? ListDecision.allow(allowedBy.describe()) : ListDecision.NONE;
    }

    private static Query query(ListQuery q, String recipient, List<String> from) {
        byte[] client = q.client().map(InetAddress::getAddress).orElse(null);
        return new Query(Names.normalizeAddress(q.sender()), client, recipient, from);
    }

    static ListDecision decision(Judgement j) {
        if (!j.decided()) {
            return ListDecision.NONE;
        }
        ListEntry e = j.decisive();
        return e.list() == ListType.ALLOW ? ListDecision.allow(e.describe())
                : ListDecision.block(e.describe(), "Rejected by Block list (" + e.pattern() + ")");
    }

    /** The addresses in header From values: {@code "Name" <a@b>} or bare {@code a@b}, comma separated. */
    static List<String> headerAddresses(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : values) {
            Matcher m = BRACKETED.matcher(v);
            boolean any = false;
            while (m.find()) {
                out.add(Names.normalizeAddress(m.group(1)));
                any = true;
            }
            if (!any) {
                for (String part : v.split(",")) {
                    String p = part.strip();
                    if (p.contains("@") && !p.contains(" ")) {
                        out.add(Names.normalizeAddress(p));
                    }
                }
            }
        }
        return out;
    }
}
