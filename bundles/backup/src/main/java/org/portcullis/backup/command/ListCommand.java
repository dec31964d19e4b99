package org.portcullis.backup.command;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.portcullis.backup.BackupInfo;

@Command(scope = "backup", name = "list", description = "Lists the backups in the backup directory, newest first")
@Service
public class ListCommand extends BackupAction {

    @Override
    void backup() throws Exception {
        System.out.println("Backups in " + backups.directory() + ":");
        ShellTable table = new ShellTable();
        for (String c : new String[] {"File", "Made", "Node", "Version", "Key", "Size"}) {
            table.column(c);
        }
        for (BackupInfo b : backups.list()) {
            table.addRow().addContent(b.file().getFileName(), b.header().created().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                    b.header().node(), b.header().productVersion(), b.header().keyKind(), size(b.fileBytes()));
        }
        table.print(System.out);
    }
}
