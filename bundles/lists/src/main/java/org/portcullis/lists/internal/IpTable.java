package org.portcullis.lists.internal;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.portcullis.lists.ListEntry;
import org.portcullis.lists.Pattern;

/**
 * IPv4 and IPv6 networks: one hash table per prefix length in use, so a lookup costs one probe
 * per distinct prefix length, longest first.
 */
final class IpTable {

    private record V6(long hi, long lo) {
    }

    private final TreeMap<Integer, Map<Object, List<ListEntry>>> v4 = new TreeMap<>(java.util.Collections.reverseOrder());
    private final TreeMap<Integer, Map<Object, List<ListEntry>>> v6 = new TreeMap<>(java.util.Collections.reverseOrder());

    void add(Pattern p, ListEntry e) {
        (p.network().length == 4 ? v4 : v6).computeIfAbsent(p.prefix(), k -> new HashMap<>())
                .computeIfAbsent(key(p.network()), k -> new ArrayList<>(1)).add(e);
    }

    void collect(byte[] address, Instant now, List<ListEntry> out) {
        if (address == null) {
            return;
        }
        for (Map.Entry<Integer, Map<Object, List<ListEntry>>> byPrefix : (address.length == 4 ? v4 : v6).entrySet()) {
            NameTable.add(byPrefix.getValue().get(key(Pattern.mask(address, byPrefix.getKey()))), now, out);
        }
    }

    private static Object key(byte[] a) {
        if (a.length == 4) {
            return ByteBuffer.wrap(a).getInt();
        }
        ByteBuffer b = ByteBuffer.wrap(a);
        return new V6(b.getLong(), b.getLong());
    }
}
