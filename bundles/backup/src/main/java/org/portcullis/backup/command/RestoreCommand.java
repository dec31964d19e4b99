package org.portcullis.backup.command;

import java.nio.file.Path;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.backup.BackupInfo;

@Command(scope = "backup", name = "restore", description = "Puts a backup back: the data and the configuration, all or nothing, "
        + "in maintenance mode")
@Service
public class RestoreCommand extends BackupFileAction {

    @Override
    void backup() throws Exception {
        BackupInfo b = backups.restore(path(), passphrase(passphraseFile), author(), progress());
        System.out.println("Backup restored: " + describe(b));
    }
}
