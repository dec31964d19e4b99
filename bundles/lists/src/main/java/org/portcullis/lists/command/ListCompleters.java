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

    private static int complete(List<String> values, Session session, CommandLine line, List<String> candidates) {
        StringsCompleter c = new StringsCompleter();
        c.getStrings().addAll(values);
        return c.complete(session, line, candidates);
    }

    @Service
    public static class Ids implements Completer {
        @Reference
        Lists lists;

        @Override
        public int complete(Session session, CommandLine line, List<String> candidates) {
            try {
                return ListCompleters.complete(ids(lists.find(null, null, null)), session, line, candidates);
            } catch (RuntimeException e) {
                return -1;
            }
        }
    }

    @Service
    public static class Scopes implements Completer {
        @Reference
        Lists lists;

        @Override
        public int complete(Session session, CommandLine line, List<String> candidates) {
            try {
                return ListCompleters.complete(scopes(lists.find(null, null, null)), session, line, candidates);
            } catch (RuntimeException e) {
                return -1;
            }
        }
    }
}
