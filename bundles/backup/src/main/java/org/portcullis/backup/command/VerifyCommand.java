package org.portcullis.backup.command;

import java.nio.file.Path;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.portcullis.backup.BackupInfo;

@Command(scope = "backup", name = "verify", description = "Checks every byte of a backup without changing anything")
@Service
public class VerifyCommand extends BackupAction {

    @Completion(FileCompleter.class)
    @Argument(index = 0, name = "file", required = true)
    String file;

    @Completion(FileCompleter.class)
    @Option(name = "-p", aliases = "--passphrase-file", description = "The backup's passphrase (else the appliance key file)")
    String passphraseFile;

    @Override
    void backup() throws Exception {
        BackupInfo b = backups.verify(Path.of(file), passphrase(passphraseFile), progress());
        System.out.println("Backup is intact: " + describe(b));
        b.parts().forEach(p -> System.out.println("  " + p));
    }
}
