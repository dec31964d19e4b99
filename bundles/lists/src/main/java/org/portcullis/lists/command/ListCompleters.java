package org.portcullis.lists.command;

import java.util.List;
import java.util.TreeSet;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.portcullis.lists.ListEntry;
import org.portcullis.lists.Lists;

/** Completion from the entries there are: their numbers ({@code lists:remove}) and their scopes ({@code --scope}). */
public final class ListCompleters {

    private ListCompleters() {
    }

    /** Entry numbers, ascending. */
    static List<String> ids(List<ListEntry> entries) {
        return entries.stream().map(ListEntry::id).sorted().map(String::valueOf).toList();
    }

    /** {@code global}, every scope an entry has, and the two prefixes for a new one. */
    static List<String> scopes(List<ListEntry> entries) {
        TreeSet<String> out = new TreeSet<>(List.of("global", "domain:", "user:"));
        entries.forEach(e -> out.add(e.scope().toString()));
        return List.copyOf(out);
    }

    /** Offers what {@code from} makes of the entries there are now; nothing when the lists cannot be read. */
    private abstract static class FromEntries implements Completer {
        @Reference
        Lists lists;

        abstract List<String> from(List<ListEntry> entries);

        @Override
        public int complete(Session session, CommandLine line, List<String> candidates) {
            StringsCompleter c = new StringsCompleter();
            try {
                c.getStrings().addAll(from(lists.find(null, null, null)));
            } catch (RuntimeException e) {
                return -1;
            }
            return c.complete(session, line, candidates);
        }
    }

    @Service
    public static class Ids extends FromEntries {
        @Override
        List<String> from(List<ListEntry> entries) {
            return ids(entries);
        }
    }

    @Service
    public static class Scopes extends FromEntries {
        @Override
        List<String> from(List<ListEntry> entries) {
            return scopes(entries);
        }
    }
}
