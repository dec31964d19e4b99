package org.portcullis.backup.command;

import java.nio.file.Path;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.portcullis.backup.BackupInfo;

@Command(scope = "backup", name = "create", description = "Makes an encrypted backup of the data and the configuration")
@Service
public class CreateCommand extends BackupAction {

    @Completion(FileCompleter.class)
    @Option(name = "-t", aliases = "--to", description = "The file to write (default: a dated file in the backup directory)")
    String to;

    @Completion(FileCompleter.class)
    @Option(name = "-p", aliases = "--passphrase-file", description = "Encrypt with the passphrase in this file (else the appliance key file)")
    String passphraseFile;

    @Override
    void backup() throws Exception {
        BackupInfo b = backups.create(to == null ? null : Path.of(to), passphrase(passphraseFile), progress());
        System.out.println("Backup made: " + describe(b));
        System.out.println(b.parts().size() + " parts, " + size(b.payloadBytes()) + " of data");
    }
}
