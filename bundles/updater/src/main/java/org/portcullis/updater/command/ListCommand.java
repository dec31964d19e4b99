package org.portcullis.updater.command;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Command(scope = "update", name = "list", description = "Lists the update packages kept on this appliance")
@Service
public class ListCommand extends UpdateAction {

    @Override
    protected void run() throws Exception {
        List<Path> kept = updates.packages();
        if (kept.isEmpty()) {
            System.out.println("No update package is kept here (update:install-file FILE keeps one).");
            return;
        }
        ShellTable table = new ShellTable();
        table.column("Package");
        table.column("KiB").alignRight();
        table.column("Kept since");
        for (Path p : kept) {
            table.addRow().addContent(p.getFileName().toString(), (Files.size(p) + 1023) / 1024, Files.getLastModifiedTime(p).toInstant());
        }
        table.print(System.out);
    }
}
