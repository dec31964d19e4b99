package org.portcullis.backup.command;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.support.completers.FileCompleter;

/** What the commands that read a backup file take: the file, and its passphrase unless the appliance key file opens it. */
abstract class BackupFileAction extends BackupAction {

    @Completion(FileCompleter.class)
    @Argument(index = 0, name = "file", required = true, description = "The backup file")
    String file;

    @Completion(FileCompleter.class)
    @Option(name = "-p", aliases = "--passphrase-file", description = "The backup's passphrase (else the appliance key file)")
    String passphraseFile;
}
