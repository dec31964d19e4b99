package org.portcullis.lists;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.time.Instant;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Managing the lists (shell, REST): every change is one transaction, reaches every node's
 * index within a second, and is refused with a {@link ListException} naming the field and the
 * value when it is wrong. Rights and scopes are checked by the callers (commands, endpoints).
 */
@ProviderType
public interface Lists {

    /** @throws ListException when the same list, scope and pattern exist already */
    ListEntry add(ListType list, Scope scope, Pattern pattern, String comment, String creator, Instant expires);

    /** @return whether an entry was removed */
    boolean remove(long id);

    /** Entries, filtered: any argument may be {@code null} for "all"; {@code patternPart} matches anywhere in the pattern. */
    List<ListEntry> find(ListType list, Scope scope, String patternPart);

    /** The entry with this id, if any. */
    java.util.Optional<ListEntry> get(long id);

    /**
     * Explains what the lists decide for a message: the deciding entry and every matching entry
     * it overrode (most specific scope first).
     *
     * @param client the SMTP client's IP address, or {@code null}
     * @param headerFrom the header From address, or {@code null}
     */
    Explanation check(String sender, String client, String recipient, String headerFrom);

    /**
     * Imports CSV ({@code list,scope,pattern,comment,expires}; legacy exports, with the lists'
     * old names in values, the header or the file name, are translated) all or nothing:
     * with any bad line nothing is stored and every bad line is reported by number.
     *
     * @param sourceName the file name (legacy exports say which list in it), or {@code ""}
     */
    ImportResult importCsv(Reader csv, String sourceName, String creator) throws IOException;

    /** Writes the entries found as CSV in the import format. */
    void exportCsv(List<ListEntry> entries, Writer out) throws IOException;

    /**
     * @param decisive the entry that decides, or {@code null}
     * @param overridden matching entries that did not decide
     * @param reasons why each of them did not ({@code reasons.get(i)} for {@code overridden.get(i)})
     */
    record Explanation(ListEntry decisive, List<ListEntry> overridden, List<String> reasons) {

        /** Without reasons (package version 1.0's shape). */
        public Explanation(ListEntry decisive, List<ListEntry> overridden) {
            this(decisive, overridden, overridden.stream().map(o -> "").toList());
        }
    }

    /**
     * @param added entries stored (0 when any line was bad)
     * @param duplicates lines that repeat an existing entry or an earlier line (reported, not stored twice)
     * @param errors one line per bad input line: "line N: <why>"
     */
    record ImportResult(int added, List<String> duplicates, List<String> errors) {
    }
}
