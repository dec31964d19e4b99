package org.portcullis.lists.command;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.portcullis.lists.ListEntry;
import org.portcullis.lists.ListType;
import org.portcullis.lists.Scope;

@Command(scope = "lists", name = "list", description = "Lists entries, filtered by list, scope and pattern")
@Service
public class ListCommand extends ListsAction {

    @Option(name = "-l", aliases = "--list", description = "allow or block")
    String list;

    @Completion(ListCompleters.Scopes.class)
    @Option(name = "-s", aliases = "--scope", description = "global, domain:<domain> or user:<address>")
    String scope;

    @Option(name = "-p", aliases = "--pattern", description = "Text the pattern contains")
    String pattern;

    @Override
    protected void run() {
        ShellTable table = new ShellTable();
        for (String c : new String[] {"#", "List", "Scope", "Pattern", "Expires", "Comment", "By"}) {
            table.column(c);
        }
        Scope s = scope == null ? null : Scope.parse(scope);
        if (s != null) {
            requireScope(s);
        }
        for (ListEntry e : lists.find(list == null ? null : ListType.parse(list), s, pattern)) {
            table.addRow().addContent(e.id(), e.list().id(), e.scope().toString(), e.pattern().toString(),
                    e.expires() == null ? "" : e.expires().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(), e.comment(),
                    e.creator());
        }
        table.print(System.out);
    }
}
