package org.portcullis.lists.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.portcullis.lists.ListEntry;

/**
 * A hash table from a key to its entries that stays small: most keys have one entry, stored
 * as itself, not in a list; the table exists only once something is put in it.
 */
final class Slots<K> {

    private Map<K, Object> map;

    @SuppressWarnings("unchecked")
    void put(K key, ListEntry e) {
        if (map == null) {
            map = new HashMap<>();
        }
        map.merge(key, e, (old, add) -> {
            List<ListEntry> list = old instanceof ListEntry single ? new ArrayList<>(List.of(single)) : (List<ListEntry>) old;
            list.add((ListEntry) add);
            return list;
        });
    }

    boolean isEmpty() {
        return map == null;
    }

    /** Adds the active entries under {@code key} to {@code out}. */
    @SuppressWarnings("unchecked")
    void collect(K key, Instant now, List<ListEntry> out) {
        if (map == null) {
            return;
        }
        Object v = map.get(key);
        if (v == null) {
            return;
        }
        if (v instanceof ListEntry e) {
            if (e.activeAt(now)) {
                out.add(e);
            }
            return;
        }
        for (ListEntry e : (List<ListEntry>) v) {
            if (e.activeAt(now)) {
                out.add(e);
            }
        }
    }
}
