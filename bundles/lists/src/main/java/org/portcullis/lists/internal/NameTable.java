package org.portcullis.lists.internal;

import java.time.Instant;
import java.util.List;

import org.portcullis.lists.ListEntry;
import org.portcullis.lists.Names;

/** Address, domain and domain-with-subdomain entries for one kind of address (envelope sender or header From). */
final class NameTable {

    private final Slots<String> addresses = new Slots<>();
    private final Slots<String> domains = new Slots<>();
    /** Keyed by the domain after "*.": matches it and every subdomain. */
    private final Slots<String> wildcards = new Slots<>();

    void addAddress(String address, ListEntry e) {
        addresses.put(address, e);
    }

    void addDomain(String domain, ListEntry e) {
        domains.put(domain, e);
    }

    void addWildcard(String domain, ListEntry e) {
        wildcards.put(domain, e);
    }

    /** Adds the active entries matching {@code address}, most specific first. */
    void collect(String address, Instant now, List<ListEntry> out) {
        if (address.isEmpty()) {
            return;
        }
        addresses.collect(address, now, out);
        if (domains.isEmpty() && wildcards.isEmpty()) {
            return;
        }
        String domain = Names.domainOf(address);
        if (domain.isEmpty()) {
            return;
        }
        domains.collect(domain, now, out);
        if (wildcards.isEmpty()) {
            return;
        }
        for (String d = domain; ; ) {
            wildcards.collect(d, now, out);
            int dot = d.indexOf('.');
            if (dot < 0) {
                break;
            }
            d = d.substring(dot + 1);
        }
    }
}
