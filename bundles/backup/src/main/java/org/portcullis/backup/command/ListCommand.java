package org.portcullis.backup.command;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.backup.BackupInfo;

@Command(scope = "backup", name = "list", description = "Lists the backups in the backup directory, newest first")
@Service
public class ListCommand extends BackupAction {

    @Override
    void backup() throws Exception {
        System.out.println("Backups in " + backups.directory() + ":");
        for (BackupInfo b : backups.list()) {
            System.out.println("  " + describe(b));
        }
    }
}
