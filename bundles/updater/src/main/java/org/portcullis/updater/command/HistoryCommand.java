package org.portcullis.updater.command;

import java.util.List;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.portcullis.updater.Updates.Past;

@Command(scope = "update", name = "history", description = "Lists the updates that ran on this appliance, how each ended, and its log")
@Service
public class HistoryCommand extends UpdateAction {

    @Override
    protected void run() {
        List<Past> past = updates.history();
        if (past.isEmpty()) {
            System.out.println("No update has ended on this appliance.");
            return;
        }
        ShellTable table = new ShellTable();
        table.column("From");
        table.column("To");
        table.column("Started");
        table.column("Outcome");
        table.column("Why");
        table.column("Log");
        past.forEach(p -> table.addRow().addContent(p.from(), p.to(), p.started(), p.outcome(), p.why(), p.log()));
        table.print(System.out);
    }
}
