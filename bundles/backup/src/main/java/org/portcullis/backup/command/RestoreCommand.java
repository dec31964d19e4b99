package org.portcullis.backup.command;

import java.nio.file.Path;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.portcullis.backup.BackupInfo;

@Command(scope = "backup", name = "restore", description = "Puts a backup back: the data and the configuration, all or nothing, "
        + "in maintenance mode")
@Service
public class RestoreCommand extends BackupAction {

    @Completion(FileCompleter.class)
    @Argument(index = 0, name = "file", required = true, description = "The backup file")
    String file;

    @Completion(FileCompleter.class)
    @Option(name = "-p", aliases = "--passphrase-file", description = "The backup's passphrase (else the appliance key file)")
    String passphraseFile;

    @Override
    void backup() throws Exception {
        BackupInfo b = backups.restore(Path.of(file), passphrase(passphraseFile), user(), progress());
        System.out.println("Backup restored: " + describe(b));
    }
}
