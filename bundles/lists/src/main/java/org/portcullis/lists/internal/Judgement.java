package org.portcullis.lists.internal;

import java.util.List;

import org.portcullis.lists.ListEntry;

/**
 * The outcome for one recipient: the entry that decides (or none) and the matching entries it
 * overrode — in its own scope (a Block over an Allow) or in less specific scopes.
 */
record Judgement(ListEntry decisive, List<ListEntry> overridden) {

    static final Judgement NONE = new Judgement(null, List.of());

    boolean decided() {
        return decisive != null;
    }
}
