package org.portcullis.lists.internal;

import java.util.List;

import org.portcullis.lists.ListEntry;

/**
 * The outcome for one recipient: the entry that decides (or none) and the matching entries it
 * overrode — in its own scope or in less specific scopes — each with the reason it lost
 * ({@code reasons.get(i)} is why {@code overridden.get(i)} did not decide).
 */
record Judgement(ListEntry decisive, List<ListEntry> overridden, List<String> reasons) {

    static final Judgement NONE = new Judgement(null, List.of(), List.of());

    boolean decided() {
        return decisive != null;
    }
}
