package org.portcullis.backup.command;

import java.nio.file.Path;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.backup.BackupInfo;

@Command(scope = "backup", name = "verify", description = "Checks every byte of a backup without changing anything")
@Service
public class VerifyCommand extends BackupFileAction {

    @Override
    void backup() throws Exception {
        BackupInfo b = backups.verify(path(), passphrase(passphraseFile), progress());
        System.out.println("Backup is intact: " + describe(b));
        b.parts().forEach(p -> System.out.println("  " + p));
    }
}
