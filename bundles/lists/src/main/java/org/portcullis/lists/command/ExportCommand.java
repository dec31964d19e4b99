package org.portcullis.lists.command;

import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.lists.ListType;
import org.portcullis.lists.Scope;

@Command(scope = "lists", name = "export", description = "Writes entries as CSV (the import format)")
@Service
public class ExportCommand extends ListsAction {

    @Argument(index = 0, name = "file", description = "Where to write", required = true)
    String file;

    @Option(name = "-l", aliases = "--list", description = "allow or block")
    String list;

    @Completion(ListCompleters.Scopes.class)
    @Option(name = "-s", aliases = "--scope", description = "global, domain:<domain> or user:<address>")
    String scope;

    @Override
    protected void run() throws Exception {
        Scope s = scope == null ? null : Scope.parse(scope);
        requireScope(s == null ? Scope.GLOBAL : s);
        var entries = lists.find(list == null ? null : ListType.parse(list), s, null);
        try (Writer out = Files.newBufferedWriter(Path.of(file), StandardCharsets.UTF_8)) {
            lists.exportCsv(entries, out);
        }
        System.out.println("Exported " + entries.size() + " entries to " + file);
    }
}
