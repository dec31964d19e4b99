package org.portcullis.lists.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.portcullis.lists.ListEntry;
import org.portcullis.lists.Names;

/** Address, domain and domain-with-subdomain entries for one kind of address (envelope sender or header From). */
final class NameTable {

    private final Map<String, List<ListEntry>> addresses = new HashMap<>();
    private final Map<String, List<ListEntry>> domains = new HashMap<>();
    /** Keyed by the domain after "*.": matches it and every subdomain. */
    private final Map<String, List<ListEntry>> wildcards = new HashMap<>();

    void addAddress(String address, ListEntry e) {
        addresses.computeIfAbsent(address, k -> new ArrayList<>(1)).add(e);
    }

    void addDomain(String domain, ListEntry e) {
        domains.computeIfAbsent(domain, k -> new ArrayList<>(1)).add(e);
    }

    void addWildcard(String domain, ListEntry e) {
        wildcards.computeIfAbsent(domain, k -> new ArrayList<>(1)).add(e);
    }

    /** Adds the active entries matching {@code address}, most specific first. */
    void collect(String address, Instant now, List<ListEntry> out) {
        if (address.isEmpty()) {
            return;
        }
        add(addresses.get(address), now, out);
        String domain = Names.domainOf(address);
        if (domain.isEmpty()) {
            return;
        }
        add(domains.get(domain), now, out);
        if (wildcards.isEmpty()) {
            return;
        }
        for (String d = domain; ; ) {
            add(wildcards.get(d), now, out);
            int dot = d.indexOf('.');
            if (dot < 0) {
                break;
            }
            d = d.substring(dot + 1);
        }
    }

    static void add(List<ListEntry> entries, Instant now, List<ListEntry> out) {
        if (entries != null) {
            for (ListEntry e : entries) {
                if (e.activeAt(now)) {
                    out.add(e);
                }
            }
        }
    }
}
