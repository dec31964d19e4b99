package org.portcullis.lists.internal;

import java.time.Instant;
import java.util.List;

import org.portcullis.lists.ListEntry;
import org.portcullis.lists.Pattern;

/** The entries of one scope (global, one domain, or one user). */
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

    /** The active entries of this scope matching the query, most specific first: sender, client address, header From. */
    void collect(Query q, Instant now, List<ListEntry> out) {
        if (sender != null) {
            sender.collect(q.sender(), now, out);
        }
        if (ips != null) {
            ips.collect(q.client(), now, out);
        }
        if (from != null) {
            for (String f : q.headerFrom()) {
                from.collect(f, now, out);
            }
        }
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
