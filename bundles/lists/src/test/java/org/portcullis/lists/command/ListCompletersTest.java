package org.portcullis.lists.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.portcullis.lists.ListEntry;
import org.portcullis.lists.ListType;
import org.portcullis.lists.Pattern;
import org.portcullis.lists.Scope;

/** What lists:remove and --scope offer: the entries' numbers and the scopes in use. */
class ListCompletersTest {

    private static ListEntry entry(long id, String scope) {
        return new ListEntry(id, ListType.BLOCK, Scope.parse(scope), Pattern.parse("x" + id + ".example"), "", "admin", Instant.EPOCH, null);
    }

    @Test
    void numbersAndScopesComeFromTheEntries() {
        List<ListEntry> entries = List.of(entry(12, "domain:corp.example"), entry(3, "global"), entry(7, "user:bob@corp.example"),
                entry(9, "domain:corp.example"));
        assertEquals(List.of("3", "7", "9", "12"), ListCompleters.ids(entries));
        assertEquals(List.of("domain:", "domain:corp.example", "global", "user:", "user:bob@corp.example"), ListCompleters.scopes(entries));
        assertEquals(List.of("domain:", "global", "user:"), ListCompleters.scopes(List.of()));
    }
}
